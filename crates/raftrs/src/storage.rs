//! raft-rs's `Storage` (the log, hard state and snapshot a `RawNode` reads),
//! kept by the adapter itself instead of raft-rs's `MemStorage`, which
//! invents an empty snapshot at the commit index when asked for one: a
//! leader must ship the service's real snapshot (the lab's InstallSnapshot,
//! LAB-SPEC §3), so this storage returns exactly the last one it took.
//!
//! Persistence is incremental: every entry is encoded once, when it is
//! appended, into a buffer that truncation cuts and compaction drains; a
//! save is a small header plus a copy of that buffer, never a re-encoding
//! of the whole log (that made ReliableChurn2C ~150× slower than our core).
//!
//! The storage also keeps the [`Renumbering`] between raft-rs's own indexes
//! and the lab's numbering of commands: raft-rs's leader appends an empty
//! entry at election (thesis §6.4), which the lab's tests must never see.

use std::sync::Arc;

use api::{LogIndex, Renumbering};
use raft_rs::eraftpb::{ConfState, Entry, EntryType, HardState, Snapshot};
use raft_rs::{GetEntriesContext, RaftState, StorageError};
use serde::{Deserialize, Serialize};

/// The fixed part of the persisted state; the entries follow it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    term: u64,
    vote: u64,
    commit: u64,
    snapshot_index: u64,
    snapshot_term: u64,
    /// Internal entries at or below the snapshot's index.
    snapshot_internal: u64,
}

/// One persisted entry; its index is implied by its position.
#[derive(Serialize, Deserialize)]
struct EntryRecord<'a> {
    term: u64,
    kind: u8,
    #[serde(with = "serde_bytes")]
    context: &'a [u8],
    #[serde(with = "serde_bytes")]
    data: &'a [u8],
}

/// Whether an entry is raft-rs's own (a leader's empty entry, a
/// configuration change) rather than a command the lab started. An empty
/// command is proposed with a one-byte context so that it stays a command.
pub fn is_internal(entry: &Entry) -> bool {
    entry.get_entry_type() != EntryType::EntryNormal || (entry.get_data().is_empty() && entry.get_context().is_empty())
}

fn kind_code(kind: EntryType) -> u8 {
    match kind {
        EntryType::EntryNormal => 0,
        EntryType::EntryConfChange => 1,
        EntryType::EntryConfChangeV2 => 2,
    }
}

fn kind_from(code: u8) -> Result<EntryType, String> {
    match code {
        0 => Ok(EntryType::EntryNormal),
        1 => Ok(EntryType::EntryConfChange),
        2 => Ok(EntryType::EntryConfChangeV2),
        other => Err(format!("unknown entry type {other}")),
    }
}

/// The adapter's storage for one raft-rs node.
pub struct LabStorage {
    hard_state: HardState,
    conf_state: ConfState,
    snapshot_index: u64,
    snapshot_term: u64,
    /// The service's snapshot (the lab's `snapshot` bytes), empty if none.
    snapshot_data: Arc<[u8]>,
    /// Live entries, from `snapshot_index + 1` on.
    entries: Vec<Entry>,
    /// Encoded entries, back to back, and where each one starts.
    encoded: Vec<u8>,
    starts: Vec<usize>,
    renumbering: Renumbering,
}

/// An error of the raft-rs kind.
fn store_error(error: StorageError) -> raft_rs::Error {
    raft_rs::Error::Store(error)
}

impl LabStorage {
    /// A storage for a member of a static cluster of `peers` voters (raft-rs ids 1..=peers).
    pub fn new(peers: u32) -> LabStorage {
        let mut conf_state = ConfState::default();
        conf_state.set_voters((1..=u64::from(peers)).collect());
        LabStorage {
            hard_state: HardState::default(),
            conf_state,
            snapshot_index: 0,
            snapshot_term: 0,
            snapshot_data: Arc::from(Vec::new()),
            entries: Vec::new(),
            encoded: Vec::new(),
            starts: Vec::new(),
            renumbering: Renumbering::new(),
        }
    }

    /// Restores what [`LabStorage::raft_state`] saved (empty bytes: a fresh node).
    pub fn restore(peers: u32, raft_state: &[u8], snapshot: Arc<[u8]>) -> Result<LabStorage, String> {
        let mut storage = LabStorage::new(peers);
        if raft_state.is_empty() {
            return Ok(storage);
        }
        let (header, mut rest) =
            postcard::take_from_bytes::<Header>(raft_state).map_err(|e| format!("corrupt raft-rs state: {e}"))?;
        storage.hard_state.term = header.term;
        storage.hard_state.vote = header.vote;
        storage.hard_state.commit = header.commit;
        storage.snapshot_index = header.snapshot_index;
        storage.snapshot_term = header.snapshot_term;
        storage.snapshot_data = snapshot;
        storage.renumbering = Renumbering::from_parts(header.snapshot_index, header.snapshot_internal, Vec::new());
        let mut entries = Vec::new();
        while !rest.is_empty() {
            let (record, tail) =
                postcard::take_from_bytes::<EntryRecord>(rest).map_err(|e| format!("corrupt raft-rs entry: {e}"))?;
            let mut entry = Entry::default();
            entry.set_entry_type(kind_from(record.kind)?);
            entry.term = record.term;
            entry.index = header.snapshot_index + 1 + entries.len() as u64;
            entry.set_context(record.context.to_vec().into());
            entry.set_data(record.data.to_vec().into());
            entries.push(entry);
            rest = tail;
        }
        if header.commit < header.snapshot_index || header.commit > header.snapshot_index + entries.len() as u64 {
            return Err(format!("corrupt raft-rs state: commit {} outside the log", header.commit));
        }
        storage.append(&entries);
        Ok(storage)
    }

    /// The persisted form: the header and the entries' cached encoding.
    pub fn raft_state(&self) -> Vec<u8> {
        let header = Header {
            term: self.hard_state.term,
            vote: self.hard_state.vote,
            commit: self.hard_state.commit,
            snapshot_index: self.snapshot_index,
            snapshot_term: self.snapshot_term,
            snapshot_internal: self.renumbering.parts().1,
        };
        let mut bytes = postcard::to_allocvec(&header).expect("a header encodes");
        bytes.extend_from_slice(&self.encoded);
        bytes
    }

    pub fn snapshot_data(&self) -> &Arc<[u8]> {
        &self.snapshot_data
    }

    pub fn snapshot_index(&self) -> u64 {
        self.snapshot_index
    }

    pub fn renumbering(&self) -> &Renumbering {
        &self.renumbering
    }

    /// Takes raft-rs's hard state; returns whether the term or vote changed.
    pub fn set_hard_state(&mut self, hard_state: HardState) -> bool {
        let changed = hard_state.term != self.hard_state.term || hard_state.vote != self.hard_state.vote;
        self.hard_state = hard_state;
        changed
    }

    pub fn set_commit(&mut self, commit: u64) {
        self.hard_state.commit = commit;
    }

    fn last(&self) -> u64 {
        self.snapshot_index + self.entries.len() as u64
    }

    /// The live entry at own index `index`.
    pub fn entry(&self, index: u64) -> Option<&Entry> {
        let offset = index.checked_sub(self.snapshot_index + 1)?;
        self.entries.get(offset as usize)
    }

    /// The term at own index `index`: the snapshot's last entry or a live one.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.snapshot_index {
            return Some(self.snapshot_term);
        }
        self.entry(index).map(|entry| entry.term)
    }

    /// Appends entries from a Ready, dropping any conflicting suffix first.
    pub fn append(&mut self, new: &[Entry]) {
        let Some(first) = new.first() else { return };
        assert!(first.index > self.snapshot_index, "raft-rs appends above the snapshot");
        assert!(first.index <= self.last() + 1, "raft-rs appends without gaps");
        let keep = (first.index - self.snapshot_index - 1) as usize;
        if keep < self.entries.len() {
            self.entries.truncate(keep);
            self.encoded.truncate(self.starts[keep]);
            self.starts.truncate(keep);
            self.renumbering.truncate_from(LogIndex(first.index));
        }
        for entry in new {
            if is_internal(entry) {
                self.renumbering.push_internal(LogIndex(entry.index));
            }
            self.starts.push(self.encoded.len());
            let record = EntryRecord {
                term: entry.term,
                kind: kind_code(entry.get_entry_type()),
                context: entry.get_context(),
                data: entry.get_data(),
            };
            self.encoded = postcard::to_extend(&record, std::mem::take(&mut self.encoded)).expect("an entry encodes");
            self.entries.push(entry.clone());
        }
    }

    /// The service took a snapshot through own index `index` (at most the applied index).
    pub fn compact(&mut self, index: u64, data: Arc<[u8]>) {
        let term = self.term_at(index).expect("a live index");
        let gone = (index - self.snapshot_index) as usize;
        let cut = self.starts.get(gone).copied().unwrap_or(self.encoded.len());
        self.entries.drain(..gone);
        self.encoded.drain(..cut);
        self.starts.drain(..gone);
        for start in &mut self.starts {
            *start -= cut;
        }
        self.renumbering.compact_through(LogIndex(index));
        self.snapshot_index = index;
        self.snapshot_term = term;
        self.snapshot_data = data;
    }

    /// A leader's snapshot replaces the whole log; returns the service's data.
    pub fn install(&mut self, snapshot: &Snapshot) -> Result<Arc<[u8]>, String> {
        let meta = snapshot.get_metadata();
        let (internal, data) = decode_envelope(snapshot.get_data())?;
        self.entries.clear();
        self.encoded.clear();
        self.starts.clear();
        self.renumbering.reset_to(LogIndex(meta.index), internal);
        self.snapshot_index = meta.index;
        self.snapshot_term = meta.term;
        self.snapshot_data = Arc::from(data);
        self.hard_state.term = self.hard_state.term.max(meta.term);
        self.hard_state.commit = meta.index;
        Ok(Arc::clone(&self.snapshot_data))
    }
}

/// A snapshot on the wire: the internal entries it covers, then the service's data.
fn encode_envelope(internal: u64, data: &[u8]) -> Vec<u8> {
    let mut bytes = postcard::to_allocvec(&internal).expect("a count encodes");
    bytes.extend_from_slice(data);
    bytes
}

fn decode_envelope(bytes: &[u8]) -> Result<(u64, &[u8]), String> {
    postcard::take_from_bytes::<u64>(bytes).map_err(|e| format!("corrupt raft-rs snapshot: {e}"))
}

impl raft_rs::Storage for LabStorage {
    fn initial_state(&self) -> raft_rs::Result<RaftState> {
        Ok(RaftState::new(self.hard_state.clone(), self.conf_state.clone()))
    }

    fn entries(
        &self,
        low: u64,
        high: u64,
        max_size: impl Into<Option<u64>>,
        _context: GetEntriesContext,
    ) -> raft_rs::Result<Vec<Entry>> {
        if low <= self.snapshot_index {
            return Err(store_error(StorageError::Compacted));
        }
        assert!(high <= self.last() + 1, "raft-rs asks for entries up to {high} of {}", self.last());
        let from = (low - self.snapshot_index - 1) as usize;
        let to = (high - self.snapshot_index - 1) as usize;
        let mut entries = self.entries[from..to].to_vec();
        raft_rs::util::limit_size(&mut entries, max_size.into());
        Ok(entries)
    }

    fn term(&self, index: u64) -> raft_rs::Result<u64> {
        if index < self.snapshot_index {
            return Err(store_error(StorageError::Compacted));
        }
        self.term_at(index).ok_or(store_error(StorageError::Unavailable))
    }

    fn first_index(&self) -> raft_rs::Result<u64> {
        Ok(self.snapshot_index + 1)
    }

    fn last_index(&self) -> raft_rs::Result<u64> {
        Ok(self.last())
    }

    fn snapshot(&self, _request_index: u64, _to: u64) -> raft_rs::Result<Snapshot> {
        let mut snapshot = Snapshot::default();
        let meta = snapshot.mut_metadata();
        meta.index = self.snapshot_index;
        meta.term = self.snapshot_term;
        meta.set_conf_state(self.conf_state.clone());
        let internal = self.renumbering.parts().1;
        snapshot.set_data(encode_envelope(internal, &self.snapshot_data).into());
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u64, term: u64, data: &[u8]) -> Entry {
        Entry { index, term, data: data.to_vec().into(), ..Entry::default() }
    }

    #[test]
    fn the_persisted_state_restores_the_same_log_after_truncation_and_compaction() {
        let mut storage = LabStorage::new(3);
        storage.append(&[entry(1, 1, b""), entry(2, 1, b"a"), entry(3, 1, b"b"), entry(4, 1, b"c")]);
        storage.append(&[entry(3, 2, b""), entry(4, 2, b"d")]);
        storage.set_commit(4);
        assert_eq!(storage.renumbering().to_lab(LogIndex(4)), LogIndex(2));
        storage.compact(2, Arc::from(&b"snap"[..]));
        let saved = storage.raft_state();
        let restored = LabStorage::restore(3, &saved, Arc::from(&b"snap"[..])).expect("restores");
        assert_eq!(restored.raft_state(), saved);
        assert_eq!(restored.term_at(2), Some(1));
        assert_eq!(restored.entry(4).map(|e| e.get_data().to_vec()), Some(b"d".to_vec()));
        assert!(restored.renumbering().is_internal(LogIndex(3)));
        assert_eq!(restored.renumbering().to_lab(LogIndex(4)), LogIndex(2));
    }

    #[test]
    fn the_snapshot_shipped_is_the_one_taken_not_one_at_the_commit_index() {
        use raft_rs::Storage;
        let mut storage = LabStorage::new(3);
        storage.append(&[entry(1, 1, b""), entry(2, 1, b"a"), entry(3, 1, b"b")]);
        storage.set_commit(3);
        storage.compact(2, Arc::from(&b"upto-a"[..]));
        let shipped = storage.snapshot(0, 2).expect("a snapshot");
        assert_eq!(shipped.get_metadata().index, 2);
        let mut follower = LabStorage::new(3);
        let data = follower.install(&shipped).expect("installs");
        assert_eq!(&data[..], b"upto-a");
        assert_eq!(follower.renumbering().to_lab(LogIndex(2)), LogIndex(1));
    }

    #[test]
    fn corrupt_state_is_an_error_not_a_panic() {
        assert!(LabStorage::restore(3, &[0xff, 0xff, 0xff], Arc::from(Vec::new())).is_err());
    }
}
