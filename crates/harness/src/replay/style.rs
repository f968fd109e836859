//! Colors for a terminal: each topic has its color (dslogs style), messages
//! on the wire are dimmed, a node winning an election and the test's
//! failures stand out. `--color auto` colors only when stdout is a terminal
//! and `NO_COLOR` is not set (the CLI decides).

use super::describe::{Row, Tone};
use super::filter::Topic;

/// Paints text, or leaves it alone when colors are off.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// The ANSI SGR code for a row.
    fn code(row: &Row) -> &'static str {
        match (row.tone, row.primary) {
            (Tone::Failure, _) => "1;31",
            (Tone::Warning, _) => "1;33",
            (Tone::Won, _) => "1;32",
            (Tone::Wire, Topic::Vote) => "2;35",
            (Tone::Wire, Topic::Append) => "2;34",
            (Tone::Wire, Topic::Snapshot) => "2;36",
            (Tone::Wire, _) => "2",
            (Tone::Topic, Topic::Timer) => "33",
            (Tone::Topic, Topic::Vote) => "35",
            (Tone::Topic, Topic::Role) => "32",
            (Tone::Topic, Topic::Append) => "34",
            (Tone::Topic, Topic::Commit) => "92",
            (Tone::Topic, Topic::Apply) => "32",
            (Tone::Topic, Topic::Snapshot) => "36",
            (Tone::Topic, Topic::Drop) => "31",
            (Tone::Topic, Topic::Net) => "2",
            (Tone::Topic, Topic::Client) => "1",
            (Tone::Topic, Topic::Test) => "1;7",
        }
    }

    /// `text` in the row's color.
    pub fn paint(self, row: &Row, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", Style::code(row))
        } else {
            text.to_string()
        }
    }
}
