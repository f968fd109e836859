//! The history of one log index (§5.3, §5.4): which leaders wrote an entry
//! there and in which term, which leader's commit index first reached it
//! (in which term, and when), what each server applied there, and the
//! leaders of the run by term.

use std::collections::BTreeMap;

use super::super::record::{Record, Value};
use super::{at, number};

/// How many of the latest leaders the diagnosis names.
pub const LEADERS_SHOWN: usize = 8;
/// How many of the latest writes at the index the diagnosis names.
pub const WRITES_SHOWN: usize = 6;

/// The log index a failure's reason names (`index 28`, `index=28`), if any.
pub fn index_in(reason: &str) -> Option<u64> {
    let mut rest = reason;
    while let Some(found) = rest.find("index") {
        rest = &rest[found + "index".len()..];
        let digits = rest.trim_start_matches([' ', '=']);
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        if let Ok(index) = digits[..end].parse() {
            return Some(index);
        }
    }
    None
}

/// The `value` field of a record, as text.
fn value_text(record: &Record) -> String {
    match record.field("value") {
        Some(Value::Str(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "?".into(),
    }
}

/// The history of `index` as a few lines.
pub fn describe(records: &[Record], index: u64) -> Vec<String> {
    let mut written = Vec::new();
    let mut committed: BTreeMap<u32, (u64, String)> = BTreeMap::new();
    let mut applied: BTreeMap<u32, String> = BTreeMap::new();
    let mut leaders = Vec::new();
    // The write just recorded (writer, position), to attach the value its client start gives.
    let mut last_write: Option<(u32, usize)> = None;
    for record in records {
        let Some(node) = record.node else { continue };
        let term = record.term.map(|term| format!("t{term}")).unwrap_or_default();
        match record.message.as_str() {
            "start: appended" if number(record, "index") == Some(index) => {
                written.push(format!("{term} by n{node} at {}", at(record.time_us)));
                last_write = Some((node, written.len() - 1));
            }
            "client start" if number(record, "index") == Some(index) => {
                if let Some((_, position)) = last_write.filter(|(writer, _)| *writer == node) {
                    written[position].push_str(&format!(" value {}", value_text(record)));
                }
            }
            "commit advanced" if number(record, "commit").is_some_and(|commit| commit >= index) => {
                let role = record.role.as_deref().unwrap_or("?");
                committed
                    .entry(node)
                    .or_insert_with(|| (record.time_us, format!("n{node} ({role} {term}) at {}", at(record.time_us))));
            }
            "apply" if number(record, "index") == Some(index) => {
                applied.insert(node, format!("n{node}={}", value_text(record)));
            }
            "apply snapshot" if number(record, "index").is_some_and(|upto| upto >= index) => {
                applied.entry(node).or_insert_with(|| format!("n{node}=(in a snapshot)"));
            }
            "became leader" => leaders.push(format!("{term} n{node} at {}", at(record.time_us))),
            _ => {}
        }
    }
    let none = |list: Vec<String>| if list.is_empty() { "none".to_string() } else { list.join(", ") };
    let mut committed: Vec<(u64, String)> = committed.into_values().collect();
    committed.sort();
    let skipped = leaders.len().saturating_sub(LEADERS_SHOWN);
    let earlier = if skipped > 0 { format!(" (after {skipped} earlier)") } else { String::new() };
    let older = written.len().saturating_sub(WRITES_SHOWN);
    let older = if older > 0 { format!(" (after {older} earlier)") } else { String::new() };
    vec![
        format!(
            "index {index}: written by leaders{older}: {}",
            none(written.split_off(written.len().saturating_sub(WRITES_SHOWN)))
        ),
        format!(
            "  committed by leaders (commit index reaching {index}): {}",
            none(committed.into_iter().map(|(_, text)| text).collect())
        ),
        format!("  applied at {index}: {}", none(applied.into_values().collect())),
        format!("leaders by term{earlier}: {}", none(leaders.split_off(skipped))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_comes_from_the_reason() {
        assert_eq!(index_in("n2, leader of term 78, holds a term-51 entry at index 28, where ..."), Some(28));
        assert_eq!(index_in("commit index=7 server=1 13 != server=0 12"), Some(7));
        assert_eq!(index_in("server 1 apply out of order, expected index 4, got 5"), Some(4));
        assert_eq!(index_in("expected one leader, got none"), None);
    }
}
