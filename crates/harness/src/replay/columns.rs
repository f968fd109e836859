//! `--columns`: each node in its own column, as dslogs lays out the lab's
//! logs. One row per event, in the column of the node it happened on; the
//! time is shown when it changes; the test's own steps (events of no node)
//! run across all columns. Long texts wrap inside their column.
//!
//! ```text
//!         time │ n0                    │ n1                    │ n2
//! ─────────────┼───────────────────────┼───────────────────────┼──────────
//!    0.300000s │ t1 C election timeout:│                       │
//!              │   standing            │                       │
//! ```

use std::io::{self, Write};

use super::record::Record;
use super::style::Style;

const TIME_WIDTH: usize = 12;
const SEPARATOR: &str = " │ ";
const MIN_COLUMN_WIDTH: usize = 16;

/// The column layout: which nodes, how wide.
pub struct Columns {
    nodes: Vec<u32>,
    width: usize,
    style: Style,
}

impl Columns {
    /// Columns for `nodes` fitting in `total_width` characters.
    pub fn new(nodes: Vec<u32>, total_width: usize, style: Style) -> Columns {
        let gaps = SEPARATOR.chars().count() * nodes.len();
        let width = (total_width.saturating_sub(TIME_WIDTH + gaps) / nodes.len().max(1)).max(MIN_COLUMN_WIDTH);
        Columns { nodes, width, style }
    }

    /// Writes the header and one row (or more, wrapped) per record.
    pub fn write<'a>(&self, out: &mut dyn Write, records: impl Iterator<Item = &'a Record>) -> io::Result<()> {
        let header: Vec<(String, usize)> =
            self.nodes.iter().map(|node| (format!("n{node}"), format!("n{node}").len())).collect();
        self.write_row(out, "time", &header)?;
        let mut rule = "─".repeat(TIME_WIDTH + 1);
        for _ in &self.nodes {
            rule.push('┼');
            rule.push_str(&"─".repeat(self.width + 2));
        }
        writeln!(out, "{rule}")?;
        let mut last_time = None;
        for record in records {
            let time = if last_time == Some(record.time_us) {
                String::new()
            } else {
                super::lines::time(record.time_us).trim_start().to_string()
            };
            last_time = Some(record.time_us);
            self.write_record(out, &time, record)?;
        }
        Ok(())
    }

    fn write_record(&self, out: &mut dyn Write, time: &str, record: &Record) -> io::Result<()> {
        let Some(node) = record.node else {
            let (_, text) = super::lines::body(record);
            return writeln!(
                out,
                "{time:>w$}{SEPARATOR}{}",
                self.style.paint(record, &format!("── {text}")),
                w = TIME_WIDTH
            );
        };
        let Some(column) = self.nodes.iter().position(|shown| *shown == node) else {
            return Ok(());
        };
        let chunks = wrap(&cell_text(record), self.width);
        for (i, chunk) in chunks.iter().enumerate() {
            let mut cells = vec![(String::new(), 0); self.nodes.len()];
            cells[column] = (self.style.paint(record, chunk), chunk.chars().count());
            self.write_row(out, if i == 0 { time } else { "" }, &cells)?;
        }
        Ok(())
    }

    /// One physical row: time, then each cell padded to the column width
    /// (by its visible width, not counting color codes); no trailing spaces.
    fn write_row(&self, out: &mut dyn Write, time: &str, cells: &[(String, usize)]) -> io::Result<()> {
        let mut row = format!("{time:>w$}", w = TIME_WIDTH);
        let shown = cells.iter().rposition(|(_, visible)| *visible > 0).map_or(0, |last| last + 1);
        for (i, (text, visible)) in cells[..shown].iter().enumerate() {
            row.push_str(SEPARATOR);
            row.push_str(text);
            if i + 1 < shown {
                row.push_str(&" ".repeat(self.width.saturating_sub(*visible)));
            }
        }
        writeln!(out, "{}", row.trim_end())
    }
}

/// What a node's cell says: `t1 C vote granted candidate=0`, `→n1 RequestVote(t1 last=0/t0)`.
fn cell_text(record: &Record) -> String {
    let mut text = String::new();
    if let (Some(term), Some(role)) = (record.term, &record.role) {
        let initial = role.chars().next().map_or('?', |c| c.to_ascii_uppercase());
        text.push_str(&format!("t{term} {initial} "));
    }
    let peer = record.peer.map(|peer| format!("n{peer}")).unwrap_or_default();
    match (record.message.as_str(), &record.msg) {
        ("send", Some(msg)) => text.push_str(&format!("→{peer} {msg}")),
        ("recv", Some(msg)) => text.push_str(&format!("←{peer} {msg}")),
        ("lost", Some(msg)) => text.push_str(&format!("✗→{peer} {msg}")),
        _ => {
            text.push_str(&record.message);
            if !peer.is_empty() {
                text.push_str(&format!(" → {peer}"));
            }
            if let Some(msg) = &record.msg {
                text.push_str(&format!(" {msg}"));
            }
        }
    }
    text.push_str(&record.rest());
    text
}

/// Splits `text` into pieces of at most `width` characters, at spaces when
/// it can; continuation pieces are indented by two.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut indent = "";
    while !rest.is_empty() {
        let room = width - indent.len();
        if rest.len() <= room {
            pieces.push(format!("{indent}{}", rest.iter().collect::<String>()));
            break;
        }
        let cut = rest[..=room].iter().rposition(|c| *c == ' ').filter(|at| *at > 0).unwrap_or(room);
        pieces.push(format!("{indent}{}", rest[..cut].iter().collect::<String>()));
        rest.drain(..cut);
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
        indent = "  ";
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_wrap_at_spaces_inside_the_column() {
        assert_eq!(wrap("election timeout: standing", 20), vec!["election timeout:", "  standing"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "  ef", "  gh", "  ij"]);
        assert_eq!(wrap("short", 20), vec!["short"]);
    }

    #[test]
    fn each_node_has_its_column() {
        let columns = Columns::new(vec![0, 1, 2], 120, Style { color: false });
        let records = [
            Record {
                time_us: 300_000,
                node: Some(1),
                term: Some(1),
                role: Some("candidate".into()),
                message: "election timeout: standing".into(),
                ..Record::default()
            },
            Record {
                time_us: 300_000,
                node: Some(1),
                peer: Some(2),
                message: "send".into(),
                msg: Some("RequestVote(t1 last=0/t0)".into()),
                ..Record::default()
            },
            Record { time_us: 400_000, message: "begin".into(), ..Record::default() },
        ];
        let mut out = Vec::new();
        columns.write(&mut out, records.iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "        time │ n0                                │ n1                                │ n2"
        );
        assert_eq!(lines[2], "   0.300000s │                                   │ t1 C election timeout: standing");
        assert_eq!(lines[3], "             │                                   │ →n2 RequestVote(t1 last=0/t0)");
        assert_eq!(lines[4], "   0.400000s │ ── begin");
    }
}
