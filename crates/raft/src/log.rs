//! The replicated log (§5.3) with a compacted prefix (§7).
//!
//! Entries up to `snapshot_index` live only in the snapshot; the log keeps the
//! index and term of the last one, so the consistency check still works at
//! the snapshot's edge.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{LogIndex, Term};

/// One log entry: the term it was created in and the service's opaque command.
/// Commands are shared, not copied, between the log, messages and outputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: Term,
    #[serde(with = "shared_bytes")]
    pub command: Arc<[u8]>,
}

/// Serializes shared bytes as a byte string (as `serde_bytes` does for `Vec<u8>`).
mod shared_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &Arc<[u8]>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<[u8]>, D::Error> {
        let bytes: serde_bytes::ByteBuf = Deserialize::deserialize(deserializer)?;
        Ok(Arc::from(bytes.into_vec()))
    }
}

/// The log: a compacted prefix (index and term only) then the live entries.
///
/// It also keeps the entries' postcard encoding, appended as they are, and
/// how much of that encoding is unchanged since the last save, so that a save
/// hands over only the entries after it (see `persist`), not the whole log.
#[derive(Clone, Debug)]
pub struct Log {
    snapshot_index: LogIndex,
    snapshot_term: Term,
    entries: Vec<Entry>,
    /// The postcard encoding of `entries`, back to back.
    encoded: Vec<u8>,
    /// Where each entry's encoding starts in `encoded`.
    offsets: Vec<usize>,
    /// How many leading bytes of `encoded` the last save holds as they are now.
    saved_bytes: usize,
}

impl PartialEq for Log {
    fn eq(&self, other: &Self) -> bool {
        (self.snapshot_index, self.snapshot_term, &self.entries)
            == (other.snapshot_index, other.snapshot_term, &other.entries)
    }
}

impl Eq for Log {}

impl Default for Log {
    /// An empty log with room for a short run's entries, so that most runs
    /// never grow it (a reallocation copies what is there).
    fn default() -> Log {
        Log {
            snapshot_index: LogIndex::ZERO,
            snapshot_term: Term(0),
            entries: Vec::with_capacity(16),
            encoded: Vec::with_capacity(256),
            offsets: Vec::with_capacity(16),
            saved_bytes: 0,
        }
    }
}

impl Log {
    pub(crate) fn from_parts(snapshot_index: LogIndex, snapshot_term: Term, entries: Vec<Entry>) -> Log {
        let mut log = Log { snapshot_index, snapshot_term, ..Log::default() };
        log.entries.reserve(entries.len());
        log.offsets.reserve(entries.len());
        for entry in entries {
            log.append(entry);
        }
        log
    }

    /// The postcard encoding of the live entries, back to back (without their count).
    pub(crate) fn encoded_entries(&self) -> &[u8] {
        &self.encoded
    }

    /// The encoding of the live entries from `from` on, `count` of them
    /// (what [`Log::slice_from`] returned for them).
    pub(crate) fn encoded_from(&self, from: LogIndex, count: usize) -> &[u8] {
        let Some(at) = self.offset(from) else { return &[] };
        let end = self.offsets.get(at + count).copied().unwrap_or(self.encoded.len());
        &self.encoded[self.offsets[at]..end]
    }

    /// How many leading bytes of [`Log::encoded_entries`] are unchanged since
    /// [`Log::mark_saved`]: a truncation lowers it, compaction resets it.
    pub(crate) fn saved_bytes(&self) -> usize {
        self.saved_bytes
    }

    /// The whole encoding is now saved (a persist, or a restart from one).
    pub(crate) fn mark_saved(&mut self) {
        self.saved_bytes = self.encoded.len();
    }

    pub fn snapshot_index(&self) -> LogIndex {
        self.snapshot_index
    }

    pub fn snapshot_term(&self) -> Term {
        self.snapshot_term
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn last_index(&self) -> LogIndex {
        LogIndex(self.snapshot_index.0 + self.entries.len() as u64)
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.snapshot_term, |entry| entry.term)
    }

    /// The position of `index` in `entries`, if it is a live entry.
    fn offset(&self, index: LogIndex) -> Option<usize> {
        if index <= self.snapshot_index || index > self.last_index() {
            return None;
        }
        Some((index.0 - self.snapshot_index.0 - 1) as usize)
    }

    /// The term at `index`: known for the snapshot's last index and live entries.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.snapshot_index {
            return Some(self.snapshot_term);
        }
        self.offset(index).map(|at| self.entries[at].term)
    }

    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        self.offset(index).map(|at| &self.entries[at])
    }

    /// Live entries from `from` on, at most `max` of them.
    pub fn slice_from(&self, from: LogIndex, max: usize) -> &[Entry] {
        match self.offset(from) {
            Some(at) => &self.entries[at..self.entries.len().min(at + max)],
            None => &[],
        }
    }

    /// The first index of the run of entries with `term` that contains `index`.
    pub fn first_index_of_term(&self, index: LogIndex, term: Term) -> LogIndex {
        let mut first = index;
        while first.prev() > self.snapshot_index && self.term_at(first.prev()) == Some(term) {
            first = first.prev();
        }
        first
    }

    /// The last index holding an entry of `term`, if the live log has one.
    pub fn last_index_of_term(&self, term: Term) -> Option<LogIndex> {
        let at = self.entries.iter().rposition(|entry| entry.term == term)?;
        Some(LogIndex(self.snapshot_index.0 + at as u64 + 1))
    }

    pub fn append(&mut self, entry: Entry) -> LogIndex {
        self.offsets.push(self.encoded.len());
        crate::append::append(&entry, &mut self.encoded);
        self.entries.push(entry);
        self.last_index()
    }

    /// Removes `index` and everything after it (a real conflict, §5.3).
    pub fn truncate_from(&mut self, index: LogIndex) {
        if let Some(at) = self.offset(index) {
            self.entries.truncate(at);
            self.encoded.truncate(self.offsets[at]);
            self.saved_bytes = self.saved_bytes.min(self.offsets[at]);
            self.offsets.truncate(at);
        }
    }

    /// Drops the first `count` live entries (and their encoding).
    fn drop_front(&mut self, count: usize) {
        if count == 0 {
            return;
        }
        // Every kept entry moves: the next save rewrites them all.
        self.saved_bytes = 0;
        let cut = self.offsets.get(count).copied().unwrap_or(self.encoded.len());
        self.entries.drain(..count);
        self.encoded.drain(..cut);
        self.offsets.drain(..count);
        for offset in &mut self.offsets {
            *offset -= cut;
        }
    }

    /// Drops the prefix up to and including `index`, which becomes the snapshot's edge.
    pub fn compact_to(&mut self, index: LogIndex) {
        let Some(term) = self.term_at(index) else { return };
        let Some(at) = self.offset(index) else { return };
        self.drop_front(at + 1);
        self.snapshot_index = index;
        self.snapshot_term = term;
    }

    /// Installs a snapshot ending at (`index`, `term`): keeps the entries after it
    /// if the log holds a matching entry at `index`, otherwise drops the whole log.
    pub fn install_snapshot(&mut self, index: LogIndex, term: Term) {
        if self.term_at(index) == Some(term) && index >= self.snapshot_index {
            let keep = (self.last_index().0 - index.0) as usize;
            self.drop_front(self.entries.len() - keep);
        } else {
            self.drop_front(self.entries.len());
        }
        self.snapshot_index = index;
        self.snapshot_term = term;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(term: u64) -> Entry {
        Entry { term: Term(term), command: Arc::from(vec![term as u8]) }
    }

    /// The cache must always equal a fresh encoding of the live entries.
    fn assert_cache(log: &Log) {
        let fresh: Vec<u8> = log.entries().iter().flat_map(|e| postcard::to_stdvec(e).unwrap()).collect();
        assert_eq!(log.encoded_entries(), fresh.as_slice());
    }

    fn log_of(terms: &[u64]) -> Log {
        let mut log = Log::default();
        for &term in terms {
            log.append(entry(term));
        }
        log
    }

    #[test]
    fn indexes_and_terms() {
        let log = log_of(&[1, 1, 2]);
        assert_eq!(log.last_index(), LogIndex(3));
        assert_eq!(log.last_term(), Term(2));
        assert_eq!(log.term_at(LogIndex(0)), Some(Term(0)));
        assert_eq!(log.term_at(LogIndex(2)), Some(Term(1)));
        assert_eq!(log.term_at(LogIndex(4)), None);
    }

    #[test]
    fn first_and_last_index_of_term() {
        let log = log_of(&[1, 2, 2, 2, 3]);
        assert_eq!(log.first_index_of_term(LogIndex(4), Term(2)), LogIndex(2));
        assert_eq!(log.last_index_of_term(Term(2)), Some(LogIndex(4)));
        assert_eq!(log.last_index_of_term(Term(5)), None);
    }

    #[test]
    fn compaction_keeps_the_edge_term() {
        let mut log = log_of(&[1, 1, 2, 3]);
        log.compact_to(LogIndex(2));
        assert_eq!((log.snapshot_index(), log.snapshot_term()), (LogIndex(2), Term(1)));
        assert_eq!(log.term_at(LogIndex(2)), Some(Term(1)));
        assert_eq!(log.term_at(LogIndex(1)), None);
        assert_eq!(log.entry(LogIndex(3)), Some(&entry(2)));
        assert_eq!(log.last_index(), LogIndex(4));
        assert_eq!(log.slice_from(LogIndex(3), 10), &[entry(2), entry(3)]);
        assert_cache(&log);
    }

    #[test]
    fn install_snapshot_keeps_a_matching_suffix_only() {
        let mut matching = log_of(&[1, 1, 2, 3]);
        matching.install_snapshot(LogIndex(3), Term(2));
        assert_eq!(matching.entries(), &[entry(3)]);
        assert_eq!(matching.last_index(), LogIndex(4));

        let mut conflicting = log_of(&[1, 1, 2, 3]);
        conflicting.install_snapshot(LogIndex(3), Term(3));
        assert!(conflicting.entries().is_empty());
        assert_eq!(conflicting.last_index(), LogIndex(3));

        let mut short = log_of(&[1]);
        short.install_snapshot(LogIndex(5), Term(2));
        assert!(short.entries().is_empty());
        assert_eq!((short.last_index(), short.last_term()), (LogIndex(5), Term(2)));
        for log in [&matching, &conflicting, &short] {
            assert_cache(log);
        }
    }

    /// What the last save holds is tracked through appends, truncations and compaction.
    #[test]
    fn saved_bytes_track_what_the_last_save_still_holds() {
        let mut log = log_of(&[1, 1, 2]);
        assert_eq!(log.saved_bytes(), 0, "nothing saved yet");
        log.mark_saved();
        let all = log.encoded_entries().len();
        assert_eq!(log.saved_bytes(), all);
        log.append(entry(3));
        assert_eq!(log.saved_bytes(), all, "an append keeps what was saved");
        let cut = log.offsets[1];
        log.truncate_from(LogIndex(2));
        assert_eq!(log.saved_bytes(), cut, "a truncation cuts what is still saved");
        log.mark_saved();
        log.compact_to(LogIndex(1));
        assert_eq!(log.saved_bytes(), 0, "compaction moves every entry");
        log.mark_saved();
        log.install_snapshot(LogIndex(1), Term(1));
        assert_eq!(log.saved_bytes(), log.encoded_entries().len(), "a snapshot at the edge drops nothing");
    }

    #[test]
    fn truncate_removes_the_suffix() {
        let mut log = log_of(&[1, 1, 2, 3]);
        log.truncate_from(LogIndex(3));
        assert_eq!(log.last_index(), LogIndex(2));
        assert_cache(&log);
        log.append(entry(4));
        assert_cache(&log);
    }
}
