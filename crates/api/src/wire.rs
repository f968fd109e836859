//! Opaque wire messages (labrpc's serialized args and replies, LAB-SPEC §1):
//! the Raft's own bytes, which the network counts and never reads, plus a
//! small header the Raft fills in for the harness.
//!
//! The header's term drives Figure 2's term rule ("if an RPC request or
//! response contains term T > currentTerm: set currentTerm = T"): the rule
//! applies to messages whose header carries a term. A pre-vote request
//! (Ongaro's thesis §9.6) carries a *proposed* term that must not make the
//! receiver adopt it, so it leaves the header's term empty.

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
#[derive(Clone, PartialEq, Eq)]
pub struct WireMessage {
    pub header: Header,
    /// The encoded message; the network counts `bytes.len()` (labrpc counts gob bytes).
    pub bytes: Vec<u8>,
}

impl WireMessage {
    pub fn new(header: Header, bytes: Vec<u8>) -> WireMessage {
        WireMessage { header, bytes }
    }

    /// The length the network counts.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

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
