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
    /// The snapshot encoding of `values[..cached_ends.len()]`, back to back:
    /// the lab re-encodes the whole history at every snapshot; this encodes
    /// each value once and gives the same bytes.
    cached: Vec<u8>,
    /// Where each cached value's encoding ends in `cached`.
    cached_ends: Vec<usize>,
}

impl Applied {
    /// An empty record with room for a short run's indexes.
    pub fn new() -> Applied {
        Applied { values: Vec::with_capacity(32), ..Applied::default() }
    }

    /// The lab's snapshot of `values[0..=last_index]` (see [`encode_snapshot`]).
    fn snapshot(&mut self, last_index: u64) -> Vec<u8> {
        let count = self.values.len().min(last_index as usize + 1);
        self.cache_to(count);
        // The header (two varints of at most 10 bytes each) and the history, in one allocation.
        let bytes = Vec::with_capacity(2 * 10 + self.cached.len());
        let mut bytes = postcard::to_extend(&(last_index, count as u64), bytes).expect("snapshots always encode");
        bytes.extend_from_slice(&self.cached);
        bytes
    }

    /// Makes `cached` the encodings of `values[..count]` exactly.
    fn cache_to(&mut self, count: usize) {
        if self.cached_ends.len() > count {
            self.forget_from(count);
        }
        for value in &self.values[self.cached_ends.len()..count] {
            // postcard writes an `Option<Vec<u8>>` as its tag, then (if some)
            // the length and the bytes: the same as an `Option` of the length
            // followed by the bytes, which spares each value its own `Vec`.
            // The head (a tag and a varint: at most 11 bytes) is encoded on the
            // stack and pushed byte by byte, with no buffer moved and no memcpy call.
            let len = value.as_ref().map(Value::encoded_len);
            let mut head = [0_u8; 11];
            let head = postcard::to_slice(&len, &mut head).expect("a length always encodes");
            self.cached.reserve(head.len() + len.unwrap_or(0));
            for &byte in head.iter() {
                self.cached.push(byte);
            }
            if let Some(value) = value {
                value.encode_into(&mut self.cached);
            }
            self.cached_ends.push(self.cached.len());
        }
    }

    /// If `bytes` are, byte for byte, a snapshot this record would take (its
    /// own history's encoding): their last index and how many values they
    /// hold. They decode to exactly `values[..count]`, so ingesting them needs
    /// no decoding.
    fn own_snapshot(&mut self, bytes: &[u8]) -> Option<(u64, usize)> {
        let ((last, count), history) = postcard::take_from_bytes::<(u64, u64)>(bytes).ok()?;
        let count = usize::try_from(count).ok().filter(|&count| count <= self.values.len())?;
        self.cache_to(count);
        (history == self.cached.as_slice()).then_some((last, count))
    }

    /// Ingests a snapshot of `count` values that [`Applied::own_snapshot`] found to be this record's own.
    fn keep_own(&mut self, count: usize, last_applied: u64) {
        self.values.truncate(count);
        self.forget_from(count);
        self.last_applied = last_applied;
    }

    /// Drops the cached encodings of `values[at..]`.
    fn forget_from(&mut self, at: usize) {
        if at < self.cached_ends.len() {
            self.cached.truncate(if at == 0 { 0 } else { self.cached_ends[at - 1] });
            self.cached_ends.truncate(at);
        }
    }

    /// Replaces the whole record (a snapshot ingested).
    fn replace(&mut self, values: Vec<Option<Value>>, last_applied: u64) {
        self.values = values;
        self.last_applied = last_applied;
        self.forget_from(0);
    }

    pub fn get(&self, index: u64) -> Option<&Value> {
        self.values.get(index as usize).and_then(Option::as_ref)
    }

    fn set(&mut self, index: u64, value: Value) {
        let at = index as usize;
        if self.values.len() <= at {
            self.values.resize(at + 1, None);
        }
        self.forget_from(at);
        self.values[at] = Some(value);
    }

    /// start1: lastApplied = 0, then ingest the persisted snapshot, if any.
    pub fn restart(&mut self, server: usize, snapshot: &[u8]) -> Result<(), Failure> {
        self.last_applied = 0;
        if snapshot.is_empty() {
            return Ok(());
        }
        if let Some((last, count)) = self.own_snapshot(snapshot) {
            // The common case: the snapshot this server's applier took before it crashed.
            self.keep_own(count, last);
            return Ok(());
        }
        let Some((last, values)) = decode_snapshot(snapshot) else {
            return Err(Failure::new(LabCheck::Snapshot, format!("server {server} snapshot decode error at restart"))
                .node(server));
        };
        self.replace(values, last);
        Ok(())
    }
}

/// The lab's snapshot: (lastIncludedIndex, the commands at 0..=lastIncludedIndex; 0 is nil).
pub fn encode_snapshot(last_index: u64, values: &[Option<Value>]) -> Vec<u8> {
    let encoded: Vec<Option<Vec<u8>>> = values.iter().map(|value| value.as_ref().map(Value::encode)).collect();
    postcard::to_stdvec(&(last_index, encoded)).expect("snapshots always encode")
}

/// The last index a lab snapshot covers (0 for no snapshot), read without
/// decoding its history (the applier has already ingested and checked it).
pub(crate) fn snapshot_index(bytes: &[u8]) -> u64 {
    postcard::take_from_bytes::<u64>(bytes).map_or(0, |(last, _)| last)
}

pub(crate) fn decode_snapshot(bytes: &[u8]) -> Option<(u64, Vec<Option<Value>>)> {
    let (last, commands) = decode_snapshot_commands(bytes)?;
    Some((last, decode_commands(&commands)?))
}

/// A lab snapshot's commands, borrowed from its bytes (no copy per command).
fn decode_snapshot_commands(bytes: &[u8]) -> Option<(u64, Vec<Option<&[u8]>>)> {
    postcard::from_bytes(bytes).ok()
}

/// How a snapshot handed to the service becomes its record.
enum Ingest {
    /// The record's own snapshot of its first `count` values: kept in place.
    Own(usize),
    /// Another history, decoded.
    Decoded(Vec<Option<Value>>),
}

/// The values of a snapshot's commands; a command that does not decode makes
/// the whole snapshot undecodable.
fn decode_commands(commands: &[Option<&[u8]>]) -> Option<Vec<Option<Value>>> {
    let mut values = Vec::with_capacity(commands.len());
    for command in commands {
        values.push(match command {
            None => None,
            Some(bytes) => Some(Value::decode(bytes)?),
        });
    }
    Some(values)
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
            return Ok(Some(self.peers[i].applied.snapshot(index)));
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
        // Shown only in a failure: an apply is hot, formatting is not free.
        let shown = mismatch.as_ref().map(|_| value.to_string());
        self.peers[i].applied.set(index, value);
        self.max_index = self.max_index.max(index);
        if !prev_ok {
            return Err(Failure::new(LabCheck::Apply, format!("server {i} apply out of order {index}"))
                .index(index)
                .node(i));
        }
        if let (Some((j, old)), Some(shown)) = (mismatch, shown) {
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
        // A snapshot this server's own record would take decodes to its own values.
        let own = self.peers[i].applied.own_snapshot(data);
        let decoded = decode_snapshot_commands(data).and_then(|(last, commands)| {
            let ingest = match own {
                Some((_, count)) => Ingest::Own(count),
                None => Ingest::Decoded(decode_commands(&commands)?),
            };
            Some((last, ingest, commands))
        });
        let Some((last, ingest, commands)) = decoded else {
            return Err(Failure::new(LabCheck::Apply, format!("server {i} snapshot decode error at index {index}"))
                .index(index)
                .node(i));
        };
        if last != index {
            let reason = format!("server {i} snapshot doesn't match m.SnapshotIndex ({last} != {index})");
            return Err(Failure::new(LabCheck::Apply, reason).index(index).node(i));
        }
        self.invariants.applied_snapshot(i, &commands, self.sim.now())?;
        match ingest {
            Ingest::Own(count) => self.peers[i].applied.keep_own(count, last),
            Ingest::Decoded(values) => self.peers[i].applied.replace(values, last),
        }
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

    /// The cached snapshot is byte for byte the lab's whole re-encoding,
    /// through appends, an overwrite, a replacement and a shorter history.
    #[test]
    fn cached_snapshots_equal_the_whole_encoding() {
        let mut applied = Applied::default();
        let whole = |applied: &Applied, last: u64| {
            let values = &applied.values;
            encode_snapshot(last, &values[..=(last as usize).min(values.len() - 1)])
        };
        for index in 1..=25_u64 {
            // The lab's 5000-character strings too: their lengths take two varint bytes.
            let value = match index % 3 {
                0 => Value::Str(format!("s{index}").into()),
                1 if index % 2 == 0 => Value::Str("x".repeat(5000).into()),
                _ => Value::Int(index as i64),
            };
            applied.set(index, value);
            if (index + 1) % 5 == 0 {
                assert_eq!(applied.snapshot(index), whole(&applied, index), "at {index}");
            }
        }
        applied.set(7, Value::Int(-7));
        assert_eq!(applied.snapshot(24), whole(&applied, 24), "after an overwrite");
        assert_eq!(applied.snapshot(12), whole(&applied, 12), "a shorter history");
        let (last, values) = decode_snapshot(&applied.snapshot(19)).unwrap();
        applied.replace(values, last);
        applied.set(20, Value::Int(20));
        assert_eq!(applied.snapshot(20), whole(&applied, 20), "after a replacement");
        assert_eq!(applied.snapshot(40), whole(&applied, 40), "beyond the history");
    }

    #[test]
    fn an_own_snapshot_is_kept_in_place_as_a_decode_would_leave_it() {
        let mut applied = Applied::default();
        for index in 1..=25_u64 {
            let value = if index % 4 == 0 { Value::Str("x".repeat(200).into()) } else { Value::Int(index as i64) };
            applied.set(index, value);
        }
        let snapshot = applied.snapshot(19);
        let (last, values) = decode_snapshot(&snapshot).unwrap();
        let mut decoded = applied.clone();
        decoded.replace(values, last);

        assert_eq!(applied.own_snapshot(&snapshot), Some((19, 20)));
        applied.restart(0, &snapshot).unwrap();
        assert_eq!((&applied.values, applied.last_applied), (&decoded.values, decoded.last_applied));
        assert_eq!(applied.snapshot(19), snapshot, "the cache still matches what it holds");

        // Another history, however close, is decoded.
        let mut other = applied.clone();
        other.set(5, Value::Int(-5));
        assert_eq!(applied.own_snapshot(&other.snapshot(19)), None);
        // So are a longer history than the record holds, trailing bytes, and garbage.
        let mut longer = applied.clone();
        longer.set(20, Value::Int(20));
        assert_eq!(applied.own_snapshot(&longer.snapshot(20)), None);
        let mut trailing = snapshot.clone();
        trailing.push(0);
        assert_eq!(applied.own_snapshot(&trailing), None);
        assert_eq!(applied.own_snapshot(&[0xFF; 3]), None);
        assert_eq!(applied.values, decoded.values, "a failed match leaves the values alone");
    }
}
