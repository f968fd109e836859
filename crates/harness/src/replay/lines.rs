//! The readable trace: one line per event, stamped with virtual time, node,
//! term and role, byte-identical across replays of one seed.
//!
//! `      0.313541s  n1 t1 candidate election timeout: standing`
//! `      0.313541s  n1 send → n0  RequestVote(t1 last=0/t0)`

use std::io::{self, Write};

use super::record::Record;
use super::style::Style;

/// The part of a line after the time: node, term and role, what happened,
/// the peer, the message summary and the other fields.
pub fn body(record: &Record) -> (String, String) {
    let node = match record.node {
        Some(node) => format!("n{node}"),
        None => "--".to_string(),
    };
    let mut text = String::new();
    if let (Some(term), Some(role)) = (record.term, &record.role) {
        text.push_str(&format!("t{term} {role:<9} "));
    }
    text.push_str(&record.message);
    if let Some(peer) = record.peer {
        let arrow = if record.message == "recv" { "←" } else { "→" };
        text.push_str(&format!(" {arrow} n{peer}"));
    }
    if let Some(msg) = &record.msg {
        text.push_str("  ");
        text.push_str(msg);
    }
    text.push_str(&record.rest());
    (node, text)
}

/// Virtual time as the lines show it, right-aligned: `      0.313541s`.
pub fn time(time_us: u64) -> String {
    format!("{:>14}", sim::Time::from_micros(time_us).to_string())
}

/// One line, without its newline.
pub fn line(record: &Record, style: Style) -> String {
    let (node, text) = body(record);
    format!("{}  {node} {}", time(record.time_us), style.paint(record, &text))
}

/// Writes the records as lines.
pub fn write<'a>(out: &mut dyn Write, records: impl Iterator<Item = &'a Record>, style: Style) -> io::Result<()> {
    for record in records {
        writeln!(out, "{}", line(record, style))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_the_trace_format() {
        let standing = Record {
            time_us: 313_541,
            node: Some(1),
            term: Some(1),
            role: Some("candidate".into()),
            message: "election timeout: standing".into(),
            ..Record::default()
        };
        assert_eq!(
            line(&standing, Style { color: false }),
            "     0.313541s  n1 t1 candidate election timeout: standing"
        );
        let send = Record {
            time_us: 313_541,
            node: Some(1),
            peer: Some(0),
            message: "send".into(),
            msg: Some("RequestVote(t1 last=0/t0)".into()),
            ..Record::default()
        };
        assert_eq!(line(&send, Style { color: false }), "     0.313541s  n1 send → n0  RequestVote(t1 last=0/t0)");
        let colored = line(&send, Style { color: true });
        assert!(colored.contains("\x1b[2;35msend → n0"), "{colored:?}");
    }
}
