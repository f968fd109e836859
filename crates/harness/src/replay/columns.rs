//! `--columns`: each node in its own column, as dslogs lays out the lab's
//! logs. One row per event, in the column of the node it happened on; the
//! time is shown when it changes; the test's own steps (events of no node)
//! run across all columns; quiet steps are skipped. A step's cell starts
//! with the node's term and role letter (`t6 C`). Long texts wrap inside
//! their column.
//!
//! ```text
//!         time │ n0                    │ n1                    │ n2
//! ─────────────┼───────────────────────┼───────────────────────┼──────────
//!    0.300000s │ t1 C timeout: stood   │                       │
//!              │   for election, term  │                       │
//! ```

use std::io::{self, Write};

use super::describe::Row;
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

    /// Writes the header and one row (or more, wrapped) per event.
    pub fn write<'a>(&self, out: &mut dyn Write, rows: impl Iterator<Item = &'a Row>) -> io::Result<()> {
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
        for row in rows.filter(|row| !row.quiet) {
            if row.node.is_some_and(|node| !self.nodes.contains(&node)) {
                continue;
            }
            let time = if last_time == Some(row.time_us) {
                String::new()
            } else {
                super::lines::time(row.time_us).trim_start().to_string()
            };
            last_time = Some(row.time_us);
            self.write_event(out, &time, row)?;
        }
        Ok(())
    }

    fn write_event(&self, out: &mut dyn Write, time: &str, row: &Row) -> io::Result<()> {
        let Some(node) = row.node else {
            let (_, text) = super::lines::body(row);
            return writeln!(
                out,
                "{time:>w$}{SEPARATOR}{}",
                self.style.paint(row, &format!("── {text}")),
                w = TIME_WIDTH
            );
        };
        let Some(column) = self.nodes.iter().position(|shown| *shown == node) else {
            return Ok(());
        };
        let chunks = wrap(&cell_text(row), self.width);
        for (i, chunk) in chunks.iter().enumerate() {
            let mut cells = vec![(String::new(), 0); self.nodes.len()];
            cells[column] = (self.style.paint(row, chunk), chunk.chars().count());
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

/// What a node's cell says: `t6 C timeout: stood for election, term 5→6`, `→n1 RequestVote(t6 last=3/t1)`.
fn cell_text(row: &Row) -> String {
    match row.state {
        Some((term, role)) => format!("t{term} {} {}", role.map_or('?', |role| role.letter()), row.cell),
        None => row.cell.clone(),
    }
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
        use super::super::describe::Tone;
        use super::super::filter::{Topic, Topics};
        let columns = Columns::new(vec![0, 1, 2], 120, Style { color: false });
        let base = Row {
            time_us: 300_000,
            node: Some(1),
            state: Some((1, Some(api::Role::Candidate))),
            text: String::new(),
            cell: "timeout: stood for election, term 0→1".into(),
            primary: Topic::Timer,
            topics: Topics::default(),
            tone: Tone::Topic,
            quiet: false,
        };
        let rows = [
            base.clone(),
            Row { state: None, cell: "→n2 RequestVote(t1 last=0/t0)".into(), tone: Tone::Wire, ..base.clone() },
            Row { quiet: true, ..base.clone() },
            Row { time_us: 400_000, node: None, state: None, text: "begin Test".into(), ..base },
        ];
        let mut out = Vec::new();
        columns.write(&mut out, rows.iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "        time │ n0                                │ n1                                │ n2"
        );
        assert_eq!(lines[2], "   0.300000s │                                   │ t1 C timeout: stood for election,");
        assert_eq!(lines[3], "             │                                   │   term 0→1");
        assert_eq!(lines[4], "             │                                   │ →n2 RequestVote(t1 last=0/t0)");
        assert_eq!(lines[5], "   0.400000s │ ── begin Test");
        assert_eq!(lines.len(), 6, "the quiet step is skipped");
    }
}
