//! The RPCs of Raft's Figure 2 (RequestVote, AppendEntries) and Figure 13
//! (InstallSnapshot, sent whole, as the lab asks), plus the fast-backup hint.
//!
//! Replies carry what the sender needs to act on them without remembering the
//! request (the driver is a network, not a call stack).

use serde::{Deserialize, Serialize};

use crate::append::append;
use crate::{Entry, LogIndex, NodeId, Term};

/// Every message a Raft node sends or receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    RequestVote(RequestVote),
    RequestVoteReply(RequestVoteReply),
    AppendEntries(AppendEntries),
    AppendEntriesReply(AppendEntriesReply),
    InstallSnapshot(InstallSnapshot),
    InstallSnapshotReply(InstallSnapshotReply),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVote {
    pub term: Term,
    pub candidate: NodeId,
    pub last_log_index: LogIndex,
    pub last_log_term: Term,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestVoteReply {
    pub term: Term,
    pub vote_granted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntries {
    pub term: Term,
    pub leader: NodeId,
    pub prev_log_index: LogIndex,
    pub prev_log_term: Term,
    pub entries: Vec<Entry>,
    pub leader_commit: LogIndex,
}

/// Why a follower rejected an AppendEntries: the lab's fast-backup hint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// XTerm: the term of the follower's entry at prev_log_index, if it has one.
    pub term: Option<Term>,
    /// XIndex: the first index the follower holds with that term.
    pub first_index: LogIndex,
    /// XLen: the follower's log length (its last index + 1).
    pub log_len: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendEntriesReply {
    pub term: Term,
    pub success: bool,
    /// The request's prev_log_index (so a stale reply can be recognised).
    pub prev_log_index: LogIndex,
    /// On success: the last index the follower now knows matches the leader.
    pub match_index: LogIndex,
    /// On rejection for a log mismatch: where to back up to.
    pub conflict: Option<Conflict>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshot {
    pub term: Term,
    pub leader: NodeId,
    pub last_included_index: LogIndex,
    pub last_included_term: Term,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallSnapshotReply {
    pub term: Term,
    /// The snapshot's last index, which the follower now holds (or had already passed).
    pub last_included_index: LogIndex,
}

impl Message {
    /// The sender's term, which every Raft message carries (§5.1).
    pub fn term(&self) -> Term {
        match self {
            Message::RequestVote(m) => m.term,
            Message::RequestVoteReply(m) => m.term,
            Message::AppendEntries(m) => m.term,
            Message::AppendEntriesReply(m) => m.term,
            Message::InstallSnapshot(m) => m.term,
            Message::InstallSnapshotReply(m) => m.term,
        }
    }

    /// True for requests (the RPC's args), false for replies.
    pub fn is_request(&self) -> bool {
        matches!(self, Message::RequestVote(_) | Message::AppendEntries(_) | Message::InstallSnapshot(_))
    }

    /// The RPC's name, as the lab spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Message::RequestVote(_) => "RequestVote",
            Message::RequestVoteReply(_) => "RequestVoteReply",
            Message::AppendEntries(_) => "AppendEntries",
            Message::AppendEntriesReply(_) => "AppendEntriesReply",
            Message::InstallSnapshot(_) => "InstallSnapshot",
            Message::InstallSnapshotReply(_) => "InstallSnapshotReply",
        }
    }

    /// Encodes with postcard into `buf` (cleared first); the network counts these bytes.
    pub fn encode_into(&self, buf: &mut Vec<u8>) {
        buf.clear();
        append(self, buf);
    }

    pub fn decode(bytes: &[u8]) -> Result<Message, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

/// The postcard variant index of [`Message::AppendEntries`].
const APPEND_ENTRIES_VARIANT: u32 = 2;

impl AppendEntries {
    /// Encodes `Message::AppendEntries(self)` into `buf` (cleared first),
    /// byte for byte as [`Message::encode_into`] does, but copies the
    /// entries' encoding from `entries_encoded` (the log keeps it, back to
    /// back) instead of serializing every entry again: the fields before the
    /// entries, their count, the cached bytes, then the commit index.
    pub(crate) fn encode_with_cached_entries(&self, entries_encoded: &[u8], buf: &mut Vec<u8>) {
        buf.clear();
        let head = (APPEND_ENTRIES_VARIANT, self.term, self.leader, self.prev_log_index, self.prev_log_term);
        append(&head, buf);
        append(&(self.entries.len() as u64), buf);
        buf.extend_from_slice(entries_encoded);
        append(&self.leader_commit, buf);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The cached path must produce exactly the bytes serde's does: the
    /// network counts them and the trace hash covers them.
    #[test]
    fn append_entries_with_cached_entries_encode_as_serde_does() {
        for count in [0_u64, 1, 3, 200] {
            for big in [1_u64, 300, 1 << 40] {
                let entries: Vec<Entry> = (0..count)
                    .map(|n| Entry { term: Term(big + n), command: Arc::from(vec![n as u8; (n * 37 % 300) as usize]) })
                    .collect();
                let cached: Vec<u8> = entries.iter().flat_map(|e| postcard::to_stdvec(e).unwrap()).collect();
                let append = AppendEntries {
                    term: Term(big + count),
                    leader: NodeId(4),
                    prev_log_index: LogIndex(big * 3),
                    prev_log_term: Term(big),
                    entries,
                    leader_commit: LogIndex(big * 2 + count),
                };
                let (mut fast, mut plain) = (vec![9; 5], Vec::new());
                append.encode_with_cached_entries(&cached, &mut fast);
                Message::AppendEntries(append.clone()).encode_into(&mut plain);
                assert_eq!(fast, plain, "{count} entries, base {big}");
                assert_eq!(Message::decode(&fast).unwrap(), Message::AppendEntries(append));
            }
        }
    }
}
