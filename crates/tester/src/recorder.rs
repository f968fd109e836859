//! Recording a run's typed trace (see [`crate::trace`]): the event list,
//! plus a mirror of every node's log so that each step's appends and
//! truncations are recorded by content (Log Matching can then be checked
//! from the trace alone, entry by entry).

use std::sync::Arc;

use api::{EntryKind, Inspect, LogIndex, Node};
use sim::Time;

use crate::trace::{EntryRecord, Inspected, NodeView, TraceEvent, Traced};
use crate::Value;

/// A node's state as the trace shows it.
pub(crate) fn view(node: &dyn Node) -> NodeView {
    let (term, leader) = node.get_state();
    let inspected = node.inspect().map(|inspect| {
        let state = inspect.state();
        Inspected {
            role: state.role,
            vote: state.voted_for.map(|id| id.0),
            commit: state.commit_index.0,
            applied: state.last_applied.0,
            last_index: state.last_log_index.0,
            last_term: state.last_log_term.0,
            snapshot_index: state.snapshot_index.0,
        }
    });
    NodeView { term: term.0, leader, inspected }
}

/// One mirrored entry: its term and command bytes (empty for internal entries).
#[derive(Clone, Debug)]
struct Mirrored {
    term: u64,
    internal: bool,
    bytes: Arc<[u8]>,
}

fn same(a: &Mirrored, b: &Mirrored) -> bool {
    a.term == b.term && a.internal == b.internal && (Arc::ptr_eq(&a.bytes, &b.bytes) || a.bytes == b.bytes)
}

/// The recording of one run.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub events: Vec<Traced>,
    /// Each node's log as last recorded: index → entry (index 0 and compacted ones: `None`).
    logs: Vec<Vec<Option<Mirrored>>>,
}

impl Recorder {
    pub fn new(servers: usize) -> Recorder {
        Recorder { events: Vec::new(), logs: vec![Vec::new(); servers] }
    }

    pub fn push(&mut self, at: Time, event: TraceEvent) {
        self.events.push(Traced { at, event });
    }

    /// A node restarted: what it had is gone from the mirror.
    pub fn forget_log(&mut self, i: usize) {
        self.logs[i].clear();
    }

    /// Records how node `i`'s log changed since it was last recorded.
    pub fn log_changes(&mut self, at: Time, i: usize, inspect: &dyn Inspect) {
        let state = inspect.state();
        let (floor, last) = (state.snapshot_index.0, state.last_log_index.0);
        let entry_at = |index: u64| {
            inspect.entry(LogIndex(index)).map(|entry| match entry.kind {
                EntryKind::Command(bytes) => Mirrored { term: entry.term.0, internal: false, bytes },
                EntryKind::Internal => Mirrored { term: entry.term.0, internal: true, bytes: Arc::from(&[][..]) },
            })
        };
        let mirror = &mut self.logs[i];
        let mut first_change = None;
        for index in floor + 1..=last {
            let now_there = entry_at(index);
            let before = mirror.get(index as usize).and_then(Option::as_ref);
            let unchanged = matches!((&now_there, before), (Some(a), Some(b)) if same(a, b));
            if !unchanged {
                first_change = Some(index);
                break;
            }
        }
        let mirror_last = mirror.len().saturating_sub(1) as u64;
        let truncated_from = match first_change {
            Some(index) if index <= mirror_last && mirror[index as usize].is_some() => Some(index),
            None if mirror_last > last => Some(last + 1),
            _ => None,
        };
        let Some(from) = first_change.or(truncated_from) else { return };
        mirror.truncate(from as usize);
        mirror.resize(from as usize, None);
        let mut appended = Vec::new();
        for index in from..=last {
            let Some(entry) = entry_at(index) else { break };
            appended.push(EntryRecord {
                index,
                term: entry.term,
                command: if entry.internal { None } else { Value::decode(&entry.bytes) },
                bytes: Arc::clone(&entry.bytes),
            });
            mirror.push(Some(entry));
        }
        self.push(at, TraceEvent::LogChanged { node: i as u32, truncated_from, appended });
    }
}
