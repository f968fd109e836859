//! Persistent state (Figure 2: currentTerm, votedFor, log[]; §7: the snapshot's
//! last index and term), encoded for the driver's persister.
//!
//! It is saved together with the current snapshot every time, as the lab's
//! `Persister.Save(raftstate, snapshot)` does: a save with no snapshot erases it.
//!
//! The encoding puts what changes last: the log's entries (postcard, back to
//! back), then a trailer (postcard: term, vote, the snapshot's index and term,
//! the entry count), its length in one byte, and [`MAGIC`]. A save keeps the
//! entries the last save holds unchanged and hands over only the rest
//! ([`api::Persist::keep_bytes`]), so a long log is not copied on every save;
//! the bytes the persister ends with are the same as a whole save's.
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Entry, LogIndex, NodeId, Term};

/// The persistent fields besides the entries, in the order [`Trailer`] decodes them.
#[derive(Serialize)]
pub(crate) struct Header {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub snapshot_index: LogIndex,
    pub snapshot_term: Term,
}

#[derive(Deserialize)]
struct Trailer {
    term: Term,
    voted_for: Option<NodeId>,
    snapshot_index: LogIndex,
    snapshot_term: Term,
    count: u64,
}

/// The last bytes of every saved state: a save cut short or run on is refused.
pub(crate) const MAGIC: [u8; 2] = *b"rf";

/// The restored state.
pub(crate) struct StateOwned {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub snapshot_index: LogIndex,
    pub snapshot_term: Term,
    pub entries: Vec<Entry>,
}

/// The persisted bytes could not be read back: a node must never start empty instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreError {
    pub reason: String,
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot restore Raft state: {}", self.reason)
    }
}

impl std::error::Error for RestoreError {}

/// What a save hands over after the first `keep_bytes` bytes of the last
/// one: the entries' encoding from `keep_bytes` on, then the trailer.
pub(crate) fn encode_tail(header: &Header, log: &crate::Log, keep_bytes: usize) -> Vec<u8> {
    let entries = &log.encoded_entries()[keep_bytes..];
    let mut bytes = Vec::with_capacity(entries.len() + 48);
    bytes.extend_from_slice(entries);
    let at = bytes.len();
    crate::append::append(header, &mut bytes);
    crate::append::append(&(log.entries().len() as u64), &mut bytes);
    let trailer = u8::try_from(bytes.len() - at).expect("a trailer of five varints is under 256 bytes");
    bytes.push(trailer);
    bytes.extend_from_slice(&MAGIC);
    bytes
}

pub(crate) fn decode(bytes: &[u8]) -> Result<StateOwned, RestoreError> {
    let corrupt =
        |why: &str| RestoreError { reason: format!("{} bytes of raft state do not decode ({why})", bytes.len()) };
    let Some(body) = bytes.strip_suffix(&MAGIC) else { return Err(corrupt("no end mark")) };
    let Some((&trailer_len, body)) = body.split_last() else { return Err(corrupt("no trailer")) };
    let Some(split) = body.len().checked_sub(usize::from(trailer_len)) else { return Err(corrupt("short trailer")) };
    let (mut rest, trailer) = body.split_at(split);
    let trailer: Trailer = match postcard::take_from_bytes(trailer) {
        Ok((trailer, [])) => trailer,
        Ok(_) => return Err(corrupt("trailer runs on")),
        Err(error) => return Err(corrupt(&error.to_string())),
    };
    let mut entries = Vec::with_capacity(usize::try_from(trailer.count).unwrap_or(0).min(rest.len()));
    for _ in 0..trailer.count {
        let (entry, after): (Entry, &[u8]) =
            postcard::take_from_bytes(rest).map_err(|error| corrupt(&format!("entry {}: {error}", entries.len())))?;
        entries.push(entry);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(corrupt(&format!("{} bytes after {} entries", rest.len(), entries.len())));
    }
    let state = StateOwned {
        term: trailer.term,
        voted_for: trailer.voted_for,
        snapshot_index: trailer.snapshot_index,
        snapshot_term: trailer.snapshot_term,
        entries,
    };
    if state.voted_for.is_some() && state.term == Term::ZERO {
        return Err(RestoreError { reason: "a vote recorded in term 0".into() });
    }
    if let Some(entry) = state.entries.iter().find(|entry| entry.term > state.term) {
        return Err(RestoreError {
            reason: format!("an entry of term {} beyond the current term {}", entry.term, state.term),
        });
    }
    Ok(state)
}
