//! raft-rs's state as raftsim's invariants read it (Figure 3's safety
//! properties), in raft-rs's own log indexes: its leader's empty entries
//! are there, as [`api::EntryKind::Internal`].

use std::sync::Arc;

use api::{EntryKind, Inspect, LogEntry, LogIndex, NodeId, NodeState, Role, Term};
use raft_rs::StateRole;

use crate::node::RaftRsNode;
use crate::storage::is_internal;

impl Inspect for RaftRsNode {
    fn state(&self) -> NodeState {
        let raft = &self.raw.raft;
        let log = &raft.raft_log;
        NodeState {
            term: Term(raft.term),
            role: match raft.state {
                StateRole::Leader => Role::Leader,
                StateRole::Candidate => Role::Candidate,
                // A pre-candidate has not moved terms: a follower, for the invariants.
                StateRole::Follower | StateRole::PreCandidate => Role::Follower,
            },
            voted_for: raft.vote.checked_sub(1).map(|id| NodeId(id as u32)),
            commit_index: LogIndex(log.committed),
            last_applied: LogIndex(log.applied),
            last_log_index: LogIndex(log.last_index()),
            last_log_term: Term(log.last_term()),
            snapshot_index: LogIndex(self.raw.store().snapshot_index()),
        }
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        self.raw.store().term_at(index.0).map(Term)
    }

    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let entry = self.raw.store().entry(index.0)?;
        let kind =
            if is_internal(entry) { EntryKind::Internal } else { EntryKind::Command(Arc::from(entry.get_data())) };
        Some(LogEntry { term: Term(entry.term), kind })
    }
}
