//! Persistent state (Figure 2: currentTerm, votedFor, log[]; §7: the snapshot's
//! last index and term), encoded with postcard for the driver's persister.
//!
//! It is saved together with the current snapshot every time, as the lab's
//! `Persister.Save(raftstate, snapshot)` does: a save with no snapshot erases it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Entry, LogIndex, NodeId, Term};

/// The persistent fields before the log, in the order [`StateOwned`] decodes them.
#[derive(Serialize)]
pub(crate) struct Header {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub snapshot_index: LogIndex,
    pub snapshot_term: Term,
}

#[derive(Deserialize)]
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

/// Encodes the state as postcard would encode [`StateOwned`]: the header, the
/// entry count as a varint, then the log's cached entry encodings.
pub(crate) fn encode(header: &Header, log: &crate::Log) -> Vec<u8> {
    let entries = log.encoded_entries();
    let mut bytes = Vec::with_capacity(32 + entries.len());
    bytes = postcard::to_extend(header, bytes).expect("raft state always encodes");
    bytes = postcard::to_extend(&(log.entries().len() as u64), bytes).expect("a count always encodes");
    bytes.extend_from_slice(entries);
    bytes
}

pub(crate) fn decode(bytes: &[u8]) -> Result<StateOwned, RestoreError> {
    let (state, rest): (StateOwned, &[u8]) = postcard::take_from_bytes(bytes).map_err(|error| RestoreError {
        reason: format!("{} bytes of raft state do not decode ({error})", bytes.len()),
    })?;
    if !rest.is_empty() {
        return Err(RestoreError { reason: format!("{} trailing bytes after the raft state", rest.len()) });
    }
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
