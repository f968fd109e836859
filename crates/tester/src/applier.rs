//! The lab's appliers (LAB-SPEC §3.6 `applier`, §3.7 `applierSnap`): every
//! applied command is checked against every server's record at that index
//! (State Machine Safety, §5.4.3) and for order; in snapshot mode the next
//! index must be exactly lastApplied + 1, and a snapshot of the full history
//! is taken after indexes 9, 19, 29, ...

use crate::world::World;
use crate::{Failure, LabCheck, Value};

/// The lab's SnapShotInterval.
pub const SNAPSHOT_INTERVAL: u64 = 10;

/// The tester's record of what one server applied (the lab's `logs[i]` and `lastApplied[i]`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Applied {
    values: Vec<Option<Value>>,
    last_applied: u64,
}

impl Applied {
    pub fn get(&self, index: u64) -> Option<&Value> {
        self.values.get(index as usize).and_then(Option::as_ref)
    }

    fn set(&mut self, index: u64, value: Value) {
        let at = index as usize;
        if self.values.len() <= at {
            self.values.resize(at + 1, None);
        }
        self.values[at] = Some(value);
    }

    /// start1: lastApplied = 0, then ingest the persisted snapshot, if any.
    pub fn restart(&mut self, server: usize, snapshot: &[u8]) -> Result<(), Failure> {
        self.last_applied = 0;
        if snapshot.is_empty() {
            return Ok(());
        }
        let Some((last, values)) = decode_snapshot(snapshot) else {
            return Err(Failure::new(LabCheck::Snapshot, format!("server {server} snapshot decode error at restart"))
                .node(server));
        };
        self.values = values;
        self.last_applied = last;
        Ok(())
    }
}

/// The lab's snapshot: (lastIncludedIndex, the commands at 0..=lastIncludedIndex; 0 is nil).
pub fn encode_snapshot(last_index: u64, values: &[Option<Value>]) -> Vec<u8> {
    let encoded: Vec<Option<Vec<u8>>> = values.iter().map(|value| value.as_ref().map(Value::encode)).collect();
    postcard::to_stdvec(&(last_index, encoded)).expect("snapshots always encode")
}

pub(crate) fn decode_snapshot(bytes: &[u8]) -> Option<(u64, Vec<Option<Value>>)> {
    let (last, encoded): (u64, Vec<Option<Vec<u8>>>) = postcard::from_bytes(bytes).ok()?;
    let values = encoded.into_iter().map(|value| value.map(|bytes| Value::decode(&bytes))).collect::<Vec<_>>();
    // A command that does not decode makes the whole snapshot undecodable.
    if values.iter().any(|value| matches!(value, Some(None))) {
        return None;
    }
    Some((last, values.into_iter().map(Option::flatten).collect()))
}

impl World {
    /// A command was applied at `index` by server `i`. Returns the snapshot
    /// to hand back to Raft, if this index is one the lab snapshots at.
    pub(crate) fn apply_command(&mut self, i: usize, index: u64, command: &[u8]) -> Result<Option<Vec<u8>>, Failure> {
        let Some(value) = Value::decode(command) else {
            let reason = format!("server {i} applied a command the tester never submitted at index {index}");
            return Err(Failure::new(LabCheck::Apply, reason).index(index).node(i));
        };
        if !self.snapshot_mode {
            self.check_logs(i, index, value)?;
            return Ok(None);
        }
        let expected = self.peers[i].applied.last_applied + 1;
        self.peers[i].applied.last_applied = index;
        if index != expected {
            let reason = format!("server {i} apply out of order, expected index {expected}, got {index}");
            return Err(Failure::new(LabCheck::Apply, reason).index(expected).node(i));
        }
        self.check_logs(i, index, value)?;
        if (index + 1).is_multiple_of(SNAPSHOT_INTERVAL) {
            let values = &self.peers[i].applied.values;
            return Ok(Some(encode_snapshot(index, &values[..=(index as usize).min(values.len() - 1)])));
        }
        Ok(None)
    }

    /// checkLogs: agreement with every server at `index`, then the "previous index present" order check.
    fn check_logs(&mut self, i: usize, index: u64, value: Value) -> Result<(), Failure> {
        let mismatch = self
            .peers
            .iter()
            .enumerate()
            .find_map(|(j, peer)| peer.applied.get(index).filter(|old| **old != value).map(|old| (j, old.clone())));
        let prev_ok = index <= 1 || self.peers[i].applied.get(index - 1).is_some();
        let shown = value.to_string();
        self.peers[i].applied.set(index, value);
        self.max_index = self.max_index.max(index);
        if !prev_ok {
            return Err(Failure::new(LabCheck::Apply, format!("server {i} apply out of order {index}"))
                .index(index)
                .node(i));
        }
        if let Some((j, old)) = mismatch {
            let reason = format!("commit index={index} server={i} {shown} != server={j} {old}");
            return Err(Failure::new(LabCheck::Apply, reason).index(index).node(i).node(j));
        }
        Ok(())
    }

    /// A snapshot was handed to the service: ingest it (snapshot mode only;
    /// the plain applier ignores messages that are not commands).
    pub(crate) fn apply_snapshot(&mut self, i: usize, index: u64, data: &[u8]) -> Result<(), Failure> {
        if !self.snapshot_mode {
            return Ok(());
        }
        let Some((last, values)) = decode_snapshot(data) else {
            return Err(Failure::new(LabCheck::Apply, format!("server {i} snapshot decode error at index {index}"))
                .index(index)
                .node(i));
        };
        if last != index {
            let reason = format!("server {i} snapshot doesn't match m.SnapshotIndex ({last} != {index})");
            return Err(Failure::new(LabCheck::Apply, reason).index(index).node(i));
        }
        let commands: Vec<Option<Vec<u8>>> = values.iter().map(|value| value.as_ref().map(Value::encode)).collect();
        self.invariants.applied_snapshot(i, &commands, self.sim.now())?;
        let applied = &mut self.peers[i].applied;
        applied.values = values;
        applied.last_applied = last;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn snapshots_round_trip() {
        let values = vec![None, Some(Value::Int(7)), Some(Value::Str(Arc::from("x")))];
        let bytes = encode_snapshot(2, &values);
        assert_eq!(decode_snapshot(&bytes), Some((2, values)));
        assert_eq!(decode_snapshot(&[1, 2, 3]), None);
    }
}
