//! The fault script: a run's decisions as text a person can read and edit,
//! which `raftsim replay TEST --script FILE` runs instead of a seed.
//!
//! ```text
//! # comments run from '#' to the end of the line
//! test Figure8Unreliable2C        # optional: the test it was made for
//! bug commit-previous-term        # optional: the planted bug it was made with
//! msg 1234 drop                   # message 1234 (the run's send order) is dropped
//! msg 1240 stall stall-us=4000    # message 1240 takes 4 ms more
//! node 3 seed=12345               # the 4th node incarnation's MakeArgs seed (its timeouts)
//! draw 17 value=2                 # the scenario's 18th draw (which server, how long, ...)
//! draw 20 yes                     # the scenario's 21st draw, a chance, comes out true
//! ```
//!
//! Each decision line is `msg|node|draw CONTEXT SITE[=VALUE]...` (a bare
//! site is 1, i.e. true). Every unlisted decision takes its neutral default:
//! delivered, no drop, the minimum latency (20 µs), an unreliable request's
//! wait in the middle of labrpc's U[0, 27 ms) (13 ms; 13.5 ms in µs), no
//! nemesis extra, no long reordering; a fixed seed per incarnation; 0 or false for a scenario
//! draw (no fault where the scenario draws a chance of one). A malformed line
//! is a one-line error naming the line and column.

use std::fmt;

use tester::tape::net_sites;
use tester::tape::{Script, BITS, CHANCE, NODE_SEED, VALUE};

/// The line keywords.
const MSG: &str = "msg";
const NODE: &str = "node";
const DRAW: &str = "draw";
const TEST: &str = "test";
const BUG: &str = "bug";
const RAFT: &str = "raft";

/// Sites that are chances: written bare when true.
const CHANCES: &[&str] =
    &[net_sites::DROP, net_sites::SLOW, net_sites::STALL, net_sites::REORDER, net_sites::EXTRA, net_sites::DUP, CHANCE];

/// What a script says besides its decisions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub test: Option<String>,
    pub bug: Option<String>,
    pub raft: Option<String>,
}

/// A script read from text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub header: Header,
    pub script: Script,
}

/// A malformed script: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line and column.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// The streams a decision line can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Msg,
    Node,
    Draw,
}

impl Stream {
    pub fn keyword(self) -> &'static str {
        match self {
            Stream::Msg => MSG,
            Stream::Node => NODE,
            Stream::Draw => DRAW,
        }
    }

    fn sites(self) -> &'static [&'static str] {
        match self {
            Stream::Msg => net_sites::ALL,
            Stream::Node => &[NODE_SEED],
            Stream::Draw => &[VALUE, CHANCE, BITS],
        }
    }

    fn of(script: &mut Script, stream: Stream) -> &mut sim::Decisions {
        match stream {
            Stream::Msg => &mut script.net,
            Stream::Node => &mut script.nodes,
            Stream::Draw => &mut script.scenario,
        }
    }
}

/// Words of a line with their 1-based columns, the comment cut off.
fn words(line: &str) -> Vec<(usize, &str)> {
    let code = line.split('#').next().unwrap_or("");
    let mut out = Vec::new();
    let mut start = None;
    for (at, ch) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
        match (ch.is_whitespace(), start) {
            (false, None) => start = Some(at),
            (true, Some(from)) => {
                out.push((code[..from].chars().count() + 1, &code[from..at]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Reads a script.
pub fn parse(text: &str) -> Result<Parsed, ScriptError> {
    let mut parsed = Parsed::default();
    for (index, line) in text.lines().enumerate() {
        let at = |column: usize, message: String| ScriptError { line: index + 1, column, message };
        let words = words(line);
        let Some(&(column, keyword)) = words.first() else { continue };
        let stream = match keyword {
            MSG => Stream::Msg,
            NODE => Stream::Node,
            DRAW => Stream::Draw,
            TEST | BUG | RAFT => {
                let [_, (_, value)] = words[..] else {
                    let column = words.get(2).map_or(line.len() + 1, |word| word.0);
                    return Err(at(column, format!("'{keyword}' takes one name")));
                };
                let slot = match keyword {
                    TEST => &mut parsed.header.test,
                    BUG => &mut parsed.header.bug,
                    _ => &mut parsed.header.raft,
                };
                *slot = Some(value.to_string());
                continue;
            }
            other => {
                return Err(at(column, format!("unknown line '{other}' (expected msg, node, draw, test, bug or raft)")))
            }
        };
        let Some(&(context_column, context)) = words.get(1) else {
            return Err(at(line.len() + 1, format!("'{keyword}' needs a number (which {keyword})")));
        };
        let context = number(context).ok_or_else(|| at(context_column, format!("'{context}' is not a number")))?;
        if words.len() < 3 {
            return Err(at(
                line.len() + 1,
                format!("'{keyword} {context}' decides nothing: add a site, e.g. {}", stream.sites()[0]),
            ));
        }
        for &(column, word) in &words[2..] {
            let (site, value) = match word.split_once('=') {
                Some((site, value)) => {
                    let value_column = column + site.chars().count() + 1;
                    let value = number(value).ok_or_else(|| at(value_column, format!("'{value}' is not a number")))?;
                    (site, value)
                }
                None => (word, 1),
            };
            if !stream.sites().contains(&site) {
                return Err(at(
                    column,
                    format!("'{site}' is not a {keyword} decision (one of: {})", stream.sites().join(", ")),
                ));
            }
            Stream::of(&mut parsed.script, stream).set(context, site, value);
        }
    }
    Ok(parsed)
}

/// One decision line, without its comment: `msg 12 drop jitter=31`.
pub fn decision_line(stream: Stream, context: u64, sites: &[(String, u64)]) -> String {
    let mut line = format!("{} {context}", stream.keyword());
    for (site, value) in sites {
        let boolean = CHANCES.contains(&site.as_str());
        if boolean && *value == 1 {
            line.push_str(&format!(" {site}"));
        } else {
            line.push_str(&format!(" {site}={value}"));
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_decisions_and_comments() {
        let text = "# a comment\ntest Figure82C\nbug commit-previous-term  # why\n\nmsg 12 drop jitter=31\nnode 0x3 seed=99\ndraw 7 value=2\ndraw 8 yes\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.header.test.as_deref(), Some("Figure82C"));
        assert_eq!(parsed.header.bug.as_deref(), Some("commit-previous-term"));
        assert_eq!(parsed.script.net.get(12, "drop"), Some(1));
        assert_eq!(parsed.script.net.get(12, "jitter"), Some(31));
        assert_eq!(parsed.script.nodes.get(3, "seed"), Some(99));
        assert_eq!(parsed.script.scenario.get(7, "value"), Some(2));
        assert_eq!(parsed.script.scenario.get(8, "yes"), Some(1));
        assert_eq!(parsed.script.len(), 4);
    }

    #[test]
    fn malformed_lines_name_their_line_and_column() {
        let cases = [
            ("msg 12 dorp\n", 1, 8, "'dorp' is not a msg decision"),
            ("\n  msg x drop\n", 2, 7, "'x' is not a number"),
            ("msg 1 jitter=3z\n", 1, 14, "'3z' is not a number"),
            ("msg 1\n", 1, 6, "decides nothing"),
            ("node 2 value=1\n", 1, 8, "'value' is not a node decision"),
            ("crash 2\n", 1, 1, "unknown line 'crash'"),
            ("test\n", 1, 5, "'test' takes one name"),
            ("draw\n", 1, 5, "'draw' needs a number"),
        ];
        for (text, line, column, message) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!((error.line, error.column), (line, column), "{text:?}: {error}");
            assert!(error.message.contains(message), "{text:?}: {error}");
            assert!(!error.to_string().contains('\n'), "one line");
        }
    }

    #[test]
    fn lines_read_back_as_written() {
        let sites = vec![("drop".to_string(), 1), ("jitter".to_string(), 31)];
        let line = decision_line(Stream::Msg, 12, &sites);
        assert_eq!(line, "msg 12 drop jitter=31");
        let parsed = parse(&line).unwrap();
        assert_eq!(parsed.script.net.get(12, "jitter"), Some(31));
    }
}
