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

    /// Save with the first `keep_bytes` bytes of the saved Raft state kept and
    /// `tail` after them (see [`api::Persist`]); nothing changes and the
    /// saved length is returned if fewer than `keep_bytes` bytes were saved.
    pub fn save_tail(&mut self, keep_bytes: usize, tail: Vec<u8>, snapshot: Arc<[u8]>) -> Result<(), usize> {
        if keep_bytes == 0 {
            if self.raft_state.capacity() < tail.len() {
                self.save(tail, snapshot);
            } else {
                // The saved buffer has room: reuse it, so the tail saves that follow
                // grow a buffer with spare capacity, not the tail's exact-size one.
                self.raft_state.clear();
                self.raft_state.extend_from_slice(&tail);
                self.snapshot = snapshot;
            }
            return Ok(());
        }
        if keep_bytes > self.raft_state.len() {
            return Err(self.raft_state.len());
        }
        self.raft_state.truncate(keep_bytes);
        self.raft_state.extend_from_slice(&tail);
        self.snapshot = snapshot;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_save_keeps_a_prefix() {
        let mut persister = Persister::default();
        persister.save(b"abcdef".to_vec(), Arc::from(&b"s1"[..]));
        persister.save_tail(4, b"XY!".to_vec(), Arc::from(&b"s2"[..])).unwrap();
        assert_eq!(persister.raft_state(), b"abcdXY!");
        assert_eq!(&persister.snapshot()[..], b"s2");
        persister.save_tail(0, b"new".to_vec(), Arc::from(&b""[..])).unwrap();
        assert_eq!(persister.raft_state(), b"new");
        assert_eq!(persister.save_tail(4, b"z".to_vec(), Arc::from(&b""[..])), Err(3));
        assert_eq!(persister.raft_state(), b"new", "a refused save changes nothing");
    }
}
