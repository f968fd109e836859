//! The harness's mirror of a process node's log, so that Raft's invariants
//! (Figure 3: Log Matching, Leader Completeness, State Machine Safety) run
//! over a node in another process without a round trip per question: the
//! node reports its state after every step and its log changes
//! incrementally, and the mirror answers [`api::Inspect`] from them.

use std::collections::VecDeque;
use std::sync::Arc;

use api::{EntryKind, Inspect, LogEntry, LogIndex, NodeId, NodeState, Role, Term};

use crate::base64;
use crate::protocol::{Inspection, LogChange, RoleName};

/// A node's inspected state and its live log (above the snapshot).
#[derive(Debug)]
pub(crate) struct Mirror {
    term: u64,
    state: Inspection,
    /// Entries `state.snapshot_index + 1 ..`, in order.
    entries: VecDeque<LogEntry>,
}

impl Mirror {
    /// A mirror of an empty log, before the node's first report.
    pub fn new() -> Mirror {
        let state = Inspection {
            role: RoleName::Follower,
            vote: None,
            commit: 0,
            applied: 0,
            last_index: 0,
            last_term: 0,
            snapshot_index: 0,
            snapshot_term: 0,
        };
        Mirror { term: 0, state, entries: VecDeque::new() }
    }

    /// Takes one step's report: compaction to the new snapshot index first,
    /// then the log change; the result must add up to the reported bounds.
    pub fn update(&mut self, term: u64, state: Inspection, change: Option<LogChange>) -> Result<(), String> {
        let (old_floor, new_floor) = (self.state.snapshot_index, state.snapshot_index);
        if new_floor < old_floor {
            return Err(format!("the snapshot index went back from {old_floor} to {new_floor}"));
        }
        let drop = (new_floor - old_floor).min(self.entries.len() as u64) as usize;
        self.entries.drain(..drop);
        if new_floor - old_floor > drop as u64 {
            self.entries.clear();
        }
        if let Some(change) = change {
            let last = new_floor + self.entries.len() as u64;
            if change.from <= new_floor || change.from > last + 1 {
                return Err(format!(
                    "a log change from index {} (the log holds {}..={last} after the snapshot)",
                    change.from,
                    new_floor + 1
                ));
            }
            self.entries.truncate((change.from - new_floor - 1) as usize);
            for entry in change.entries {
                let kind = match entry.command {
                    Some(text) => EntryKind::Command(Arc::from(base64::decode(&text)?)),
                    None => EntryKind::Internal,
                };
                self.entries.push_back(LogEntry { term: Term(entry.term), kind });
            }
        }
        self.term = term;
        self.state = state;
        self.check_bounds()
    }

    fn check_bounds(&self) -> Result<(), String> {
        let state = &self.state;
        let last = state.snapshot_index + self.entries.len() as u64;
        let last_term = self.entries.back().map_or(state.snapshot_term, |entry| entry.term.0);
        if last != state.last_index || last_term != state.last_term {
            return Err(format!(
                "the reported log ends at {}/t{} but its changes add up to {last}/t{last_term}",
                state.last_index, state.last_term
            ));
        }
        Ok(())
    }
}

impl Inspect for Mirror {
    fn state(&self) -> NodeState {
        let s = &self.state;
        NodeState {
            term: Term(self.term),
            role: match s.role {
                RoleName::Follower => Role::Follower,
                RoleName::Candidate => Role::Candidate,
                RoleName::Leader => Role::Leader,
            },
            voted_for: s.vote.map(NodeId),
            commit_index: LogIndex(s.commit),
            last_applied: LogIndex(s.applied),
            last_log_index: LogIndex(s.last_index),
            last_log_term: Term(s.last_term),
            snapshot_index: LogIndex(s.snapshot_index),
        }
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index.0 == self.state.snapshot_index {
            return Some(Term(self.state.snapshot_term));
        }
        self.entry(index).map(|entry| entry.term)
    }

    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let offset = index.0.checked_sub(self.state.snapshot_index + 1)?;
        self.entries.get(offset as usize).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::EntryLine;

    fn report(last_index: u64, last_term: u64, snapshot_index: u64, snapshot_term: u64) -> Inspection {
        Inspection { last_index, last_term, snapshot_index, snapshot_term, ..Mirror::new().state }
    }

    fn entries(terms: &[u64]) -> Vec<EntryLine> {
        terms.iter().map(|&term| EntryLine { term, command: Some(base64::encode(&[term as u8])) }).collect()
    }

    #[test]
    fn appends_truncations_and_compaction_add_up() {
        let mut mirror = Mirror::new();
        mirror.update(1, report(3, 2, 0, 0), Some(LogChange { from: 1, entries: entries(&[1, 1, 2]) })).unwrap();
        assert_eq!(mirror.term_at(LogIndex(3)), Some(Term(2)));
        mirror.update(1, report(3, 3, 0, 0), Some(LogChange { from: 3, entries: entries(&[3]) })).unwrap();
        assert_eq!(mirror.term_at(LogIndex(3)), Some(Term(3)));
        mirror.update(1, report(3, 3, 2, 1), None).unwrap();
        assert_eq!((mirror.term_at(LogIndex(2)), mirror.entry(LogIndex(2))), (Some(Term(1)), None));
        assert_eq!(mirror.entry(LogIndex(3)).map(|e| e.term), Some(Term(3)));
        // A snapshot installed past the log's end: the log restarts above it.
        mirror.update(1, report(10, 4, 9, 4), Some(LogChange { from: 10, entries: entries(&[4]) })).unwrap();
        assert_eq!(mirror.entry(LogIndex(10)).map(|e| e.term), Some(Term(4)));
    }

    #[test]
    fn a_report_that_does_not_add_up_is_an_error() {
        let mut mirror = Mirror::new();
        assert!(mirror.update(1, report(2, 1, 0, 0), Some(LogChange { from: 1, entries: entries(&[1]) })).is_err());
        let mut mirror = Mirror::new();
        assert!(mirror.update(1, report(1, 1, 0, 0), Some(LogChange { from: 3, entries: entries(&[1]) })).is_err());
        let mut mirror = Mirror::new();
        mirror.update(1, report(0, 0, 5, 1), None).unwrap_err();
    }
}
