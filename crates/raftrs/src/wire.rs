//! raft-rs's one-way messages on labrpc's calls (LAB-SPEC §1): a request
//! (MsgAppend, MsgHeartbeat, MsgSnapshot, MsgRequestVote,
//! MsgRequestPreVote) is a labrpc Call, and the response raft-rs produces
//! while handling it is that call's reply, so that the network counts one
//! RPC per exchange as it counts a Go Raft's (Count2B's limits). The header
//! carries the sender's term only where Figure 2's term rule holds for the
//! receiver: not for pre-vote requests and replies (thesis §9.6), and, with
//! check-quorum, not for vote requests, which a follower in lease ignores.

use api::{Header, Term, WireMessage};
use protobuf::Message as _;
use raft_rs::eraftpb::{Message, MessageType};

/// Whether a message asks for an answer (and so travels as a labrpc Call).
pub fn is_request(kind: MessageType) -> bool {
    matches!(
        kind,
        MessageType::MsgAppend
            | MessageType::MsgHeartbeat
            | MessageType::MsgSnapshot
            | MessageType::MsgRequestVote
            | MessageType::MsgRequestPreVote
    )
}

/// Whether a message answers one.
pub fn is_response(kind: MessageType) -> bool {
    matches!(
        kind,
        MessageType::MsgAppendResponse
            | MessageType::MsgHeartbeatResponse
            | MessageType::MsgRequestVoteResponse
            | MessageType::MsgRequestPreVoteResponse
    )
}

/// The name of a message kind, for traces and statistics.
pub fn name(kind: MessageType) -> &'static str {
    match kind {
        MessageType::MsgAppend => "MsgAppend",
        MessageType::MsgAppendResponse => "MsgAppendResponse",
        MessageType::MsgHeartbeat => "MsgHeartbeat",
        MessageType::MsgHeartbeatResponse => "MsgHeartbeatResponse",
        MessageType::MsgSnapshot => "MsgSnapshot",
        MessageType::MsgRequestVote => "MsgRequestVote",
        MessageType::MsgRequestVoteResponse => "MsgRequestVoteResponse",
        MessageType::MsgRequestPreVote => "MsgRequestPreVote",
        MessageType::MsgRequestPreVoteResponse => "MsgRequestPreVoteResponse",
        MessageType::MsgTimeoutNow => "MsgTimeoutNow",
        MessageType::MsgTransferLeader => "MsgTransferLeader",
        MessageType::MsgReadIndex => "MsgReadIndex",
        MessageType::MsgReadIndexResp => "MsgReadIndexResp",
        _ => "MsgOther",
    }
}

/// The name of the adapter's empty reply to a request raft-rs dropped.
pub const NO_ANSWER: &str = "NoAnswer";

/// The empty reply the adapter sends when raft-rs answered nothing (a stale
/// request it ignored): labrpc's handler always returns, so the call does too.
pub fn no_answer() -> WireMessage {
    WireMessage::new(Header { term: None, name: NO_ANSWER }, Vec::new())
}

/// The header's term for a message (see the module's docs).
fn header_term(message: &Message, check_quorum: bool) -> Option<Term> {
    match message.get_msg_type() {
        MessageType::MsgRequestPreVote | MessageType::MsgRequestPreVoteResponse => None,
        MessageType::MsgRequestVote if check_quorum => None,
        _ => Some(Term(message.term)),
    }
}

pub fn encode(message: &Message, check_quorum: bool) -> WireMessage {
    let bytes = message.write_to_bytes().expect("a raft-rs message encodes");
    let header = Header { term: header_term(message, check_quorum), name: name(message.get_msg_type()) };
    WireMessage::new(header, bytes)
}

/// A peer's bytes as a raft-rs message; garbage is `None` (ignored like any stale message).
pub fn decode(message: &WireMessage) -> Option<Message> {
    if message.bytes.is_empty() {
        return None;
    }
    Message::parse_from_bytes(&message.bytes).ok()
}

/// A one-line summary: `MsgAppend(t3 prev=4/t2 n=3 commit=4)`.
pub fn describe(message: &WireMessage) -> String {
    let Some(m) = decode(message) else {
        return format!("{}({}B)", message.header.name, message.bytes.len());
    };
    let kind = name(m.get_msg_type());
    match m.get_msg_type() {
        MessageType::MsgAppend => format!(
            "{kind}(t{} prev={}/t{} n={} commit={})",
            m.term,
            m.index,
            m.log_term,
            m.get_entries().len(),
            m.commit
        ),
        MessageType::MsgSnapshot => {
            let meta = m.get_snapshot().get_metadata();
            format!("{kind}(t{} last={}/t{} {}B)", m.term, meta.index, meta.term, m.get_snapshot().get_data().len())
        }
        MessageType::MsgRequestVote | MessageType::MsgRequestPreVote => {
            format!("{kind}(t{} last={}/t{})", m.term, m.index, m.log_term)
        }
        MessageType::MsgAppendResponse
        | MessageType::MsgRequestVoteResponse
        | MessageType::MsgRequestPreVoteResponse => {
            let verdict = if m.reject { "reject" } else { "ok" };
            format!("{kind}(t{} {verdict} index={})", m.term, m.index)
        }
        _ => format!("{kind}(t{} commit={})", m.term, m.commit),
    }
}
