//! The readable trace: one line per event, stamped with virtual time and
//! node; a step shows the node's term and role after it and what it changed;
//! messages show their id, so a send, its delivery and the step it caused
//! read together. Byte-identical across replays of one seed.
//!
//! `      0.313541s  n1 t1 candidate timeout: stood for election, term 0→1`
//! `      0.313541s  n1 send #4 → n0  RequestVote(t1 last=0/t0)`

use std::io::{self, Write};

use super::describe::Row;
use super::style::Style;

/// `t1 candidate ` (the role padded), or nothing for a row without state.
fn state_prefix(row: &Row) -> String {
    match row.state {
        Some((term, role)) => format!("t{term} {:<9} ", role.map_or("?", |role| role.name())),
        None => String::new(),
    }
}

/// The node (`n1`, or `--` for the test's own steps) and the text after it.
pub fn body(row: &Row) -> (String, String) {
    let node = match row.node {
        Some(node) => format!("n{node}"),
        None => "--".to_string(),
    };
    (node, format!("{}{}", state_prefix(row), row.text))
}

/// Virtual time as the lines show it, right-aligned: `      0.313541s`.
pub fn time(time_us: u64) -> String {
    format!("{:>14}", sim::Time::from_micros(time_us).to_string())
}

/// One line, without its newline.
pub fn line(row: &Row, style: Style) -> String {
    let (node, text) = body(row);
    format!("{}  {node} {}", time(row.time_us), style.paint(row, &text))
}

/// Writes the rows as lines, skipping quiet steps.
pub fn write<'a>(out: &mut dyn Write, rows: impl Iterator<Item = &'a Row>, style: Style) -> io::Result<()> {
    for row in rows.filter(|row| !row.quiet) {
        writeln!(out, "{}", line(row, style))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::describe::Tone;
    use super::super::filter::{Topic, Topics};
    use super::*;

    #[test]
    fn lines_keep_the_trace_format() {
        let standing = Row {
            time_us: 313_541,
            node: Some(1),
            state: Some((1, Some(api::Role::Candidate))),
            text: "timeout: stood for election, term 0→1".into(),
            cell: String::new(),
            primary: Topic::Timer,
            topics: Topics::default(),
            tone: Tone::Topic,
            quiet: false,
        };
        assert_eq!(
            line(&standing, Style { color: false }),
            "     0.313541s  n1 t1 candidate timeout: stood for election, term 0→1"
        );
        let send = Row {
            state: None,
            text: "send #4 → n0  RequestVote(t1 last=0/t0)".into(),
            primary: Topic::Vote,
            tone: Tone::Wire,
            ..standing.clone()
        };
        assert_eq!(line(&send, Style { color: false }), "     0.313541s  n1 send #4 → n0  RequestVote(t1 last=0/t0)");
        let colored = line(&send, Style { color: true });
        assert!(colored.contains("\x1b[2;35msend #4 → n0"), "{colored:?}");
        let test_step = Row { node: None, text: "begin Test".into(), ..send };
        assert_eq!(line(&test_step, Style { color: false }), "     0.313541s  -- begin Test");
    }
}
