//! The history of one log index (§5.3, §5.4), the index the failure names
//! (`failure.index`): which leaders took a client's command there and in
//! which term (with its value), which leader's commit index first reached
//! it (in which term, and when), what each server applied there, and the
//! leaders of the run by term. All from the typed trace: Started, the
//! steps' commit indexes, Applied and installed snapshots.

use std::collections::BTreeMap;

use api::Role;
use tester::trace::{TraceEvent, Traced};

use super::at;

/// How many of the latest leaders the diagnosis names.
pub const LEADERS_SHOWN: usize = 8;
/// How many of the latest writes at the index the diagnosis names.
pub const WRITES_SHOWN: usize = 6;

/// The history of `index` as a few lines.
pub fn describe(trace: &[Traced], index: u64) -> Vec<String> {
    let mut written = Vec::new();
    let mut committed: BTreeMap<u32, (u64, String)> = BTreeMap::new();
    let mut applied: BTreeMap<u32, String> = BTreeMap::new();
    let mut leaders = Vec::new();
    for traced in trace {
        let time_us = traced.at.micros();
        match &traced.event {
            TraceEvent::Started { node, index: at_index, term, value } if *at_index == index => {
                written.push(format!("t{term} by n{node} at {} value {value}", at(time_us)));
            }
            TraceEvent::Step { node, before, after, .. } => {
                let leads = after.role() == Some(Role::Leader);
                if leads && (before.role() != Some(Role::Leader) || before.term != after.term) {
                    leaders.push(format!("t{} n{node} at {}", after.term, at(time_us)));
                }
                if leads && after.inspected.is_some_and(|inspected| inspected.commit >= index) {
                    committed
                        .entry(*node)
                        .or_insert_with(|| (time_us, format!("n{node} (leader t{}) at {}", after.term, at(time_us))));
                }
            }
            TraceEvent::Applied { node, index: at_index, command, .. } if *at_index == index => {
                let value = command.as_ref().map_or("(internal)".to_string(), ToString::to_string);
                applied.insert(*node, format!("n{node}={value}"));
            }
            TraceEvent::SnapshotInstalled { node, index: upto, .. } if *upto >= index => {
                applied.entry(*node).or_insert_with(|| format!("n{node}=(in a snapshot)"));
            }
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
