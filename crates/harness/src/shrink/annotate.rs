//! Writing a run's decisions as a fault script, each line commented with
//! what it decided: the message it touched (kind, endpoints, name, time),
//! the server an incarnation seed was for, the scenario line that drew it.
//! The lines come from the tape of a recorded run (its non-default draws),
//! so a written script lists exactly the decisions that run took.

use std::collections::BTreeMap;

use sim::{Bound, Entry, Time};
use tester::tape::Tape;
use tester::trace::{Fault, TraceEvent, Traced};

use super::script::{decision_line, Header, Stream};

/// What a trace says about each message and incarnation, for the comments.
struct Notes {
    messages: BTreeMap<u64, String>,
    incarnations: Vec<u32>,
}

impl Notes {
    fn of(trace: &[Traced]) -> Notes {
        let mut messages = BTreeMap::new();
        let mut incarnations = Vec::new();
        for traced in trace {
            match &traced.event {
                TraceEvent::Sent { id, from, to, kind, name, .. } => {
                    messages.insert(id.0, format!("{} n{from}->n{to} {name}", kind.name()));
                }
                TraceEvent::Fault(Fault::Restart(server)) => incarnations.push(*server),
                _ => {}
            }
        }
        Notes { messages, incarnations }
    }
}

/// Groups a stream's non-default draws by context, in context order.
fn by_context(entries: &[Entry]) -> BTreeMap<u64, Vec<&Entry>> {
    let mut grouped: BTreeMap<u64, Vec<&Entry>> = BTreeMap::new();
    for entry in entries.iter().filter(|entry| !entry.is_default()) {
        grouped.entry(entry.context).or_default().push(entry);
    }
    grouped
}

fn sites(entries: &[&Entry]) -> Vec<(String, u64)> {
    entries.iter().map(|entry| (entry.site.to_string(), entry.value)).collect()
}

fn bound_text(bound: Bound) -> String {
    match bound {
        Bound::Below(n) => format!("U[0,{n})"),
        Bound::Chance { hits, out_of } => format!("chance {hits}/{out_of}"),
        Bound::Raw => "64 bits".to_string(),
    }
}

/// The script text: the header lines, then one commented line per decision.
pub fn write(header: &Header, tape: &Tape, trace: &[Traced], preamble: &[String]) -> String {
    let notes = Notes::of(trace);
    let mut out = String::new();
    for line in preamble {
        out.push_str(&format!("# {line}\n"));
    }
    for (keyword, value) in [("test", &header.test), ("bug", &header.bug), ("raft", &header.raft)] {
        if let Some(value) = value {
            out.push_str(&format!("{keyword} {value}\n"));
        }
    }
    let mut push = |line: String, comment: String| out.push_str(&format!("{line:<40} # {comment}\n"));
    for (context, entries) in by_context(&tape.nodes) {
        let server = notes.incarnations.get(context as usize).map_or("?".to_string(), |s| format!("n{s}"));
        let at = Time::from_micros(entries[0].at_us);
        push(decision_line(Stream::Node, context, &sites(&entries)), format!("{server} (re)starts at {at}"));
    }
    // Scenario draws and messages, in time order (then context), so the script reads as a story.
    let mut lines: Vec<(u64, u8, u64, String, String)> = Vec::new();
    for (context, entries) in by_context(&tape.scenario) {
        let entry = entries[0];
        let caller = entry.caller.map_or(String::new(), |at| format!(" {}:{}", at.file(), at.line()));
        let comment = format!("{} {}{caller}", Time::from_micros(entry.at_us), bound_text(entry.bound));
        lines.push((entry.at_us, 0, context, decision_line(Stream::Draw, context, &sites(&entries)), comment));
    }
    for (context, entries) in by_context(&tape.net) {
        let what = notes.messages.get(&context).cloned().unwrap_or_else(|| "message".to_string());
        let comment = format!("{} {what}", Time::from_micros(entries[0].at_us));
        lines.push((entries[0].at_us, 1, context, decision_line(Stream::Msg, context, &sites(&entries)), comment));
    }
    lines.sort_by_key(|a| (a.0, a.1, a.2));
    for (_, _, _, line, comment) in lines {
        push(line, comment);
    }
    out
}
