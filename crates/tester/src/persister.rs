//! The lab's Persister (LAB-SPEC §2): the Raft state and the snapshot, saved
//! together; a save with an empty snapshot erases the old one.
//!
//! Copy-on-crash needs no copying here: a node's outputs are carried out
//! synchronously, and a crashed node is gone before it can write again, so
//! the persister holds exactly what was saved when the crash happened.

use std::sync::Arc;

/// What one server has made durable.
#[derive(Clone, Debug, Default)]
pub struct Persister {
    raft_state: Vec<u8>,
    snapshot: Arc<[u8]>,
}

impl Persister {
    /// Save(raftstate, snapshot): replaces both, atomically.
    pub fn save(&mut self, raft_state: Vec<u8>, snapshot: Arc<[u8]>) {
        self.raft_state = raft_state;
        self.snapshot = snapshot;
    }

    pub fn raft_state(&self) -> &[u8] {
        &self.raft_state
    }

    pub fn snapshot(&self) -> &Arc<[u8]> {
        &self.snapshot
    }

    /// RaftStateSize: what LogSize and MAXLOGSIZE measure.
    pub fn raft_state_size(&self) -> usize {
        self.raft_state.len()
    }
}
