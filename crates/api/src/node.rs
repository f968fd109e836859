//! The node trait: the lab's Raft API (Make, Start, GetState, Snapshot,
//! ApplyMsg; LAB-SPEC §3) in sans-IO form, in the shape of quinn-proto's
//! `Connection`: inputs take `now`, outputs are drained in order.
//!
//! Persist before you speak (Raft §5, Figure 2: persistent state is "updated
//! on stable storage before responding to RPCs"): a node emits
//! [`Output::Persist`] before any message or apply that depends on it, in the
//! same ordered batch, and the driver makes it durable before carrying out
//! what follows.

use std::sync::Arc;

use crate::{CallId, Inspect, Instant, LogIndex, NodeId, Term, WireMessage};

/// How a message reached this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A request of call `CallId` (the caller's id); answer it with [`Output::Reply`].
    Request(CallId),
    /// The reply to this node's own call `CallId`.
    Reply(CallId),
    /// A one-way message: nobody waits for an answer.
    OneWay,
}

/// What a node asks its driver to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Call a peer (labrpc's `Call`): a request that will be answered, or fail.
    Call { to: NodeId, call: CallId, message: WireMessage },
    /// Answer the request `call` from `to` (at most once per request).
    Reply { to: NodeId, call: CallId, message: WireMessage },
    /// Send a one-way message: no answer, no failure report.
    Send { to: NodeId, message: WireMessage },
    /// Make this state durable before carrying out any later output.
    Persist(Persist),
    /// Hand this to the service (the lab's ApplyMsg).
    Apply(Apply),
}

/// What the driver must make durable, atomically (the lab's `Persister.Save`).
///
/// The saved Raft state becomes the first `keep_bytes` bytes of the state
/// saved before, then `raft_state`. With `keep_bytes` 0 (what
/// [`Persist::whole`] builds) `raft_state` is the whole state, exactly the
/// lab's `Save(raftstate, snapshot)`. A larger `keep_bytes` lets a Raft whose
/// encoding ends with what changes (the log's new entries, then a small
/// trailer) hand over only the tail instead of copying its whole log on every
/// save; what the persister holds, what a restart reads and what
/// `RaftStateSize` measures are the same bytes either way. Keeping more bytes
/// than were saved breaks the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persist {
    /// How many leading bytes of the Raft state saved before stay as they are.
    pub keep_bytes: usize,
    /// The encoded Raft state (the lab's `raftstate`) after the kept bytes.
    pub raft_state: Vec<u8>,
    /// The service snapshot (the lab's `snapshot`); empty if there is none.
    pub snapshot: Arc<[u8]>,
}

impl Persist {
    /// Save the whole Raft state and the snapshot (the lab's `Save`).
    pub fn whole(raft_state: Vec<u8>, snapshot: Arc<[u8]>) -> Persist {
        Persist { keep_bytes: 0, raft_state, snapshot }
    }
}

/// The lab's ApplyMsg: a committed command, or a snapshot to switch to.
/// Indexes are the lab's numbering of commands (see the crate's docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Apply {
    Command { index: LogIndex, term: Term, command: Arc<[u8]> },
    Snapshot { index: LogIndex, term: Term, data: Arc<[u8]> },
}

/// Start was refused: only a leader takes commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotLeader {
    pub term: Term,
}

/// Start was accepted: the command will be at `index` if it is ever committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Started {
    pub index: LogIndex,
    pub term: Term,
}

/// One Raft peer as the tester drives it.
///
/// Peer misbehaviour (stale, duplicate, reordered messages) is never the
/// caller's problem: a node ignores what it cannot use. A node must not
/// panic on any input; if it does, raftsim reports a finding naming the node
/// and the input.
///
/// The protocol a node keeps, each rule checked by raftsim (a break fails
/// the run with a `driver` failure naming the node, the input and the rule):
/// - **reply once, to a real request**: an [`Output::Reply`] names a request
///   this node received and has not answered yet;
/// - **answer every request**: labrpc's handler always returns, so a request
///   delivered to a node is answered within 1 s of virtual time
///   (`tester::REPLY_BOUND_MS`), in the step that handled it or a later one;
///   only a crash or a disconnection of either end first excuses it (the
///   caller then sees [`Node::handle_call_failed`]). A Raft with nothing to
///   say (a stale request it drops) replies with an empty message;
/// - **peers only**: calls and sends go to `NodeId(0)..NodeId(peers)`, never to itself;
/// - **applies in order**: within one incarnation, each [`Apply::Command`] is
///   at the index after the last one applied (the first after a restart is
///   one past the persisted snapshot's index, or 1), each index once; an
///   [`Apply::Snapshot`] never goes back below what was applied;
/// - **deadlines ahead**: after [`Node::handle_timeout`] at `now`,
///   [`Node::poll_timeout`] is `now` or later (a deadline in the past is a
///   timer already due, fine after any other input: an input of the same
///   instant may come before the due timeout is delivered).
pub trait Node {
    /// A message from `from` arrived, as a request, a reply or a one-way message.
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: WireMessage);
    /// This node's call `call` to `to` failed: labrpc's `Call()` returned false.
    fn handle_call_failed(&mut self, now: Instant, to: NodeId, call: CallId);
    /// Whether this node acts on failed calls. A node that ignores them (it
    /// resends on its own timers) answers false, and the driver then spares
    /// the run their delivery; the network's fates are the same either way.
    fn wants_call_failures(&self) -> bool {
        true
    }
    /// The clock reached the deadline [`Node::poll_timeout`] gave.
    fn handle_timeout(&mut self, now: Instant);
    /// The lab's Start: append `command` if leader.
    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader>;
    /// The lab's Snapshot: the service has a snapshot of everything up to `index`.
    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>);
    /// The next output to carry out, in order.
    #[must_use]
    fn poll_output(&mut self) -> Option<Output>;
    /// When the node next wants [`Node::handle_timeout`].
    #[must_use]
    fn poll_timeout(&self) -> Option<Instant>;
    /// The lab's GetState: (currentTerm, isLeader).
    fn get_state(&self) -> (Term, bool);
    /// The node's state for raftsim's invariants and traces, if it offers it.
    fn inspect(&self) -> Option<&dyn Inspect> {
        None
    }
    /// A one-line summary of one of this node's messages, for traces only
    /// (called only when a run is recorded): `AppendEntries(t3 prev=4/t2 n=3)`.
    fn describe(&self, message: &WireMessage) -> String {
        message.header.name.to_string()
    }
}
