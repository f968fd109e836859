//! Inspection: what raftsim reads of a node to check Raft's safety properties
//! (Figure 3: Election Safety, Log Matching, Leader Completeness, State
//! Machine Safety) after every step, and to trace each step's state.
//!
//! Optional: a node that offers none still runs the lab's own checks. Every
//! answer is owned data, so a node can compute it however it likes. Indexes
//! here are the node's own log indexes (internal entries included).

use std::sync::Arc;

use serde::Serialize;

use crate::{LogIndex, NodeId, Term};

/// A Raft role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Follower,
    /// A pre-vote candidate (thesis §9.6) reports `Follower`: it has not moved terms.
    Candidate,
    Leader,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }

    /// One letter, for columns: F, C, L.
    pub fn letter(self) -> char {
        match self {
            Role::Follower => 'F',
            Role::Candidate => 'C',
            Role::Leader => 'L',
        }
    }
}

/// A node's state: Figure 2's fields and the log's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeState {
    pub term: Term,
    pub role: Role,
    pub voted_for: Option<NodeId>,
    pub commit_index: LogIndex,
    pub last_applied: LogIndex,
    pub last_log_index: LogIndex,
    pub last_log_term: Term,
    /// The last index the node's snapshot covers (0 if none): entries at or
    /// below it are no longer in the log.
    pub snapshot_index: LogIndex,
}

/// What a log entry holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A client's command, as Start gave it.
    Command(Arc<[u8]>),
    /// An entry of the Raft's own (a leader's no-op, a configuration change).
    Internal,
}

/// One live log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub term: Term,
    pub kind: EntryKind,
}

/// Read-only state for the invariants.
pub trait Inspect {
    fn state(&self) -> NodeState;
    /// The term of the entry at `index`: known for the snapshot's last index and live entries.
    fn term_at(&self, index: LogIndex) -> Option<Term>;
    /// The live entry at `index` (above the snapshot, up to the last index).
    fn entry(&self, index: LogIndex) -> Option<LogEntry>;
}
