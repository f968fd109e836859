//! The RPCs of Raft's Figure 2 (RequestVote, AppendEntries) and Figure 13
//! (InstallSnapshot, sent whole, as the lab asks), plus the fast-backup hint.
//!
//! Replies carry what the sender needs to act on them without remembering the
//! request (the driver is a network, not a call stack).

use serde::{Deserialize, Serialize};

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
        let taken = std::mem::take(buf);
        *buf = postcard::to_extend(self, taken).expect("raft messages always encode");
    }

    pub fn decode(bytes: &[u8]) -> Result<Message, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}
