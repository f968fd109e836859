//! Figure 2's two RPCs, RequestVote and AppendEntries, with their replies,
//! and the persisted state; postcard bytes on the wire and on "disk".

use api::{Header, Term, WireMessage};
use serde::{Deserialize, Serialize};

/// One log entry: the term it was created in, and the client's command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    pub command: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    RequestVote {
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    },
    VoteReply {
        term: u64,
        granted: bool,
    },
    AppendEntries {
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
    },
    /// On success, `index` is the last index the follower now matches; on
    /// failure, the index the leader should try next (the lab's fast backup).
    AppendReply {
        term: u64,
        success: bool,
        index: u64,
    },
}

impl Message {
    pub fn term(&self) -> u64 {
        match self {
            Message::RequestVote { term, .. }
            | Message::VoteReply { term, .. }
            | Message::AppendEntries { term, .. }
            | Message::AppendReply { term, .. } => *term,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Message::RequestVote { .. } => "RequestVote",
            Message::VoteReply { .. } => "VoteReply",
            Message::AppendEntries { .. } => "AppendEntries",
            Message::AppendReply { .. } => "AppendReply",
        }
    }

    /// Every message carries the sender's term, under Figure 2's term rule.
    pub fn encode(&self) -> WireMessage {
        let bytes = postcard::to_allocvec(self).expect("messages encode");
        WireMessage::new(Header { term: Some(Term(self.term())), name: self.name() }, bytes)
    }

    pub fn decode(message: &WireMessage) -> Option<Message> {
        postcard::from_bytes(&message.bytes).ok()
    }
}

/// Figure 2's persistent state: currentTerm, votedFor, log[] (log[0] is a placeholder).
#[derive(Serialize, Deserialize)]
pub struct Persistent {
    pub term: u64,
    pub voted_for: Option<u32>,
    pub log: Vec<Entry>,
}
