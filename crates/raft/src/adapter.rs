//! The core behind raftsim's node API: the core itself implements
//! [`api::Node`] and [`api::Inspect`], and this module is the thin layer
//! between them — it takes the wire message apart (using the sender's
//! in-process shortcut when there is one, else decoding the postcard bytes),
//! remembers which call a request came with so that the reply names it, and
//! offers the core's state for the invariants. The core's message types stay
//! private to this crate: peers see bytes and a header.
//!
//! The planted bug (with the `planted-bugs` feature) is chosen here, through
//! [`CoreFactory`], never through the seam.

use std::fmt;

use api::{CallId, Delivery, EntryKind, Inspect, LogEntry, MakeArgs, NodeState, Role, WireMessage};

use crate::pool::Slot;
use crate::{Config, Instant, LogIndex, Message, Node, NodeId, NotLeader, RoleKind, Started, Term};

/// Makes nodes of raftsim's own core, optionally with one planted bug.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoreFactory {
    #[cfg(feature = "planted-bugs")]
    bug: Option<crate::Bug>,
}

impl CoreFactory {
    /// The correct core.
    pub fn new() -> CoreFactory {
        CoreFactory::default()
    }

    /// The core with a planted bug (see [`crate::Bug`]).
    #[cfg(feature = "planted-bugs")]
    pub fn with_bug(bug: crate::Bug) -> CoreFactory {
        CoreFactory { bug: Some(bug) }
    }

    /// The planted bug these nodes run with.
    #[cfg(feature = "planted-bugs")]
    pub fn bug(&self) -> Option<crate::Bug> {
        self.bug
    }
}

impl api::Factory for CoreFactory {
    fn name(&self) -> &str {
        "core"
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn api::Node>, String> {
        #[allow(unused_mut)]
        let mut config = Config::new(args.me, args.peers, args.rng_seed);
        #[cfg(feature = "planted-bugs")]
        {
            config.bug = self.bug;
        }
        let node = Node::restore(config, args.now, &args.raft_state, args.snapshot).map_err(|e| e.to_string())?;
        Ok(Box::new(node))
    }
}

impl Node {
    /// The sender's message itself, if it came with the in-process shortcut.
    fn take_local(&mut self, message: &mut WireMessage) -> Option<Message> {
        let slot = message.local.take()?.downcast::<Slot>().ok()?;
        self.pool.unbox(slot)
    }
}

impl api::Node for Node {
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, mut message: WireMessage) {
        let decoded = self.take_local(&mut message).or_else(|| Message::decode(&message.bytes).ok());
        self.pool.recycle_buffer(message.bytes);
        // Bytes that do not decode are a peer's garbage: ignored, like any stale message.
        let Some(decoded) = decoded else { return };
        self.answering = match delivery {
            Delivery::Request(call) => Some((from, call)),
            Delivery::Reply(_) | Delivery::OneWay => None,
        };
        Node::handle_message(self, now, from, decoded);
        self.answering = None;
    }

    fn handle_call_failed(&mut self, _now: Instant, _to: NodeId, _call: CallId) {
        // The core never waits on a call: an unanswered payload is resent on a timer.
    }

    fn wants_call_failures(&self) -> bool {
        false
    }

    fn handle_timeout(&mut self, now: Instant) {
        Node::handle_timeout(self, now);
    }

    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        Node::start(self, now, command)
    }

    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>) {
        Node::snapshot(self, now, index, data);
    }

    fn poll_output(&mut self) -> Option<api::Output> {
        Node::poll_output(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Node::poll_timeout(self)
    }

    fn get_state(&self) -> (Term, bool) {
        (self.term, self.is_leader())
    }

    fn inspect(&self) -> Option<&dyn Inspect> {
        Some(self)
    }

    fn describe(&self, message: &WireMessage) -> String {
        match Message::decode(&message.bytes) {
            Ok(decoded) => Summary(&decoded).to_string(),
            Err(_) => format!("{}(undecodable {}B)", message.header.name, message.bytes.len()),
        }
    }
}

impl Inspect for Node {
    fn state(&self) -> NodeState {
        let state = Node::state(self);
        NodeState {
            term: state.term,
            role: match state.role {
                RoleKind::Follower => Role::Follower,
                RoleKind::Candidate => Role::Candidate,
                RoleKind::Leader => Role::Leader,
            },
            voted_for: state.voted_for,
            commit_index: state.commit_index,
            last_applied: state.last_applied,
            last_log_index: state.last_log_index,
            last_log_term: state.last_log_term,
            snapshot_index: state.snapshot_index,
        }
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        self.log().term_at(index)
    }

    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let entry = self.log().entry(index)?;
        Some(LogEntry { term: entry.term, kind: EntryKind::Command(entry.command.clone()) })
    }
}

/// A one-line summary of a message: `AppendEntries(t3 prev=4/t2 n=3 commit=4)`.
struct Summary<'a>(&'a Message);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Message::RequestVote(m) => {
                write!(f, "RequestVote(t{} last={}/t{})", m.term, m.last_log_index, m.last_log_term)
            }
            Message::RequestVoteReply(m) => {
                write!(f, "VoteReply(t{} {})", m.term, if m.vote_granted { "granted" } else { "denied" })
            }
            Message::AppendEntries(m) => write!(
                f,
                "AppendEntries(t{} prev={}/t{} n={} commit={})",
                m.term,
                m.prev_log_index,
                m.prev_log_term,
                m.entries.len(),
                m.leader_commit
            ),
            Message::AppendEntriesReply(m) if m.success => {
                write!(f, "AppendReply(t{} ok match={})", m.term, m.match_index)
            }
            Message::AppendEntriesReply(m) => match &m.conflict {
                Some(c) => write!(
                    f,
                    "AppendReply(t{} reject prev={} xterm={} xindex={} xlen={})",
                    m.term,
                    m.prev_log_index,
                    c.term.map_or("-".to_string(), |t| t.to_string()),
                    c.first_index,
                    c.log_len
                ),
                None => write!(f, "AppendReply(t{} reject: stale term)", m.term),
            },
            Message::InstallSnapshot(m) => write!(
                f,
                "InstallSnapshot(t{} last={}/t{} {}B)",
                m.term,
                m.last_included_index,
                m.last_included_term,
                m.data.len()
            ),
            Message::InstallSnapshotReply(m) => {
                write!(f, "SnapshotReply(t{} last={})", m.term, m.last_included_index)
            }
        }
    }
}
