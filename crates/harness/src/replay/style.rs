//! Colors for a terminal: each topic has its color (dslogs style), messages
//! on the wire are dimmed, the test's failures stand out. `--color auto`
//! colors only when stdout is a terminal and `NO_COLOR` is not set (the CLI decides).

use super::filter::{classify, Topic};
use super::record::Record;

/// Paints text, or leaves it alone when colors are off.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// The ANSI SGR code for a record.
    fn code(record: &Record) -> &'static str {
        match record.message.as_str() {
            "FAIL" => return "1;31",
            "warning" => return "1;33",
            "became leader" => return "1;32",
            "append rejected" => return "1;34",
            _ => {}
        }
        let on_the_wire = matches!(record.message.as_str(), "send" | "recv");
        match (classify(record).0, on_the_wire) {
            (Topic::Vote, true) => "2;35",
            (Topic::Append, true) => "2;34",
            (Topic::Snapshot, true) => "2;36",
            (_, true) => "2",
            (Topic::Timer, _) => "33",
            (Topic::Vote, _) => "35",
            (Topic::Role, _) => "32",
            (Topic::Append, _) => "34",
            (Topic::Commit, _) => "92",
            (Topic::Apply, _) => "32",
            (Topic::Snapshot, _) => "36",
            (Topic::Drop, _) => "31",
            (Topic::Net, _) => "2",
            (Topic::Client, _) => "1",
            (Topic::Test, _) => "1;7",
        }
    }

    /// `text` in the record's color.
    pub fn paint(self, record: &Record, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", Style::code(record))
        } else {
            text.to_string()
        }
    }
}
