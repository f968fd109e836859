//! Opaque wire messages (labrpc's serialized args and replies, LAB-SPEC §1):
//! the Raft's own bytes, which the network counts and never reads, plus a
//! small header the Raft fills in for the harness.
//!
//! The header's term drives Figure 2's term rule ("if an RPC request or
//! response contains term T > currentTerm: set currentTerm = T"): the rule
//! applies to messages whose header carries a term. A pre-vote request
//! (Ongaro's thesis §9.6) carries a *proposed* term that must not make the
//! receiver adopt it, so it leaves the header's term empty.

use std::any::Any;
use std::fmt;

use crate::Term;

/// What the harness may know of a message without decoding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The sender's current term, for messages under Figure 2's term rule; `None` opts out.
    pub term: Option<Term>,
    /// A short, fixed name for traces and statistics: `"AppendEntries"`, `"MsgVote"`.
    pub name: &'static str,
}

/// One message on the wire: a header and the Raft's own encoding of it.
///
/// `local` is an in-process shortcut, never read by the harness: a sender may
/// attach its message as it was before encoding, so that a receiver of the
/// same Raft in the same process can skip decoding `bytes`. The bytes stay
/// authoritative: the network counts and hashes them, and a copy of the
/// message (a duplicate on the wire) carries no shortcut, so its receiver
/// decodes the bytes. A receiver must treat the two as the same message.
pub struct WireMessage {
    pub header: Header,
    /// The encoded message; the network counts `bytes.len()` (labrpc counts gob bytes).
    pub bytes: Vec<u8>,
    pub local: Option<Box<dyn Any + Send>>,
}

impl WireMessage {
    pub fn new(header: Header, bytes: Vec<u8>) -> WireMessage {
        WireMessage { header, bytes, local: None }
    }

    /// With the in-process shortcut attached (see the type's docs).
    #[must_use]
    pub fn with_local(mut self, local: Box<dyn Any + Send>) -> WireMessage {
        self.local = Some(local);
        self
    }

    /// The length the network counts.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// A copy is the bytes and the header; the in-process shortcut stays with the original.
impl Clone for WireMessage {
    fn clone(&self) -> WireMessage {
        WireMessage::new(self.header, self.bytes.clone())
    }
}

/// Two messages are equal when their headers and bytes are.
impl PartialEq for WireMessage {
    fn eq(&self, other: &WireMessage) -> bool {
        self.header == other.header && self.bytes == other.bytes
    }
}

impl Eq for WireMessage {}

impl fmt::Debug for WireMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.header.name)?;
        if let Some(term) = self.header.term {
            write!(f, "t{term} ")?;
        }
        write!(f, "{}B)", self.bytes.len())
    }
}

/// A call's id, chosen by the caller, unique among its own open calls; a
/// reply names the call it answers, and a failure report names the call that failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
