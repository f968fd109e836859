//! The seam between raftsim and any Raft: what a Raft must speak to run
//! under the lab's tests. No Raft lives here.
//!
//! Driving manual, for someone putting their own Raft under raftsim:
//! 1. implement [`Node`]: the lab's contract in sans-IO form. Inputs take
//!    `now` ([`Node::handle_message`], [`Node::handle_call_failed`],
//!    [`Node::handle_timeout`]); the service's requests are [`Node::start`]
//!    (Start) and [`Node::snapshot`] (Snapshot); [`Node::get_state`] is GetState;
//! 2. after every input the driver drains [`Node::poll_output`] and carries
//!    the outputs out **in order** (a [`Output::Persist`] is durable before the
//!    next output is acted on), then asks [`Node::poll_timeout`];
//! 3. messages are opaque: [`WireMessage`] is your bytes plus a small
//!    [`Header`] (the term, if the message has one, and a name). The network
//!    counts the bytes' length, as labrpc counts gob bytes. Requests carry a
//!    [`CallId`] you choose; a reply names it; a call that fails (lost request
//!    or reply, dead server) comes back as [`Node::handle_call_failed`], as
//!    labrpc's `Call()` returns false;
//! 4. optionally implement [`Inspect`] (returned by [`Node::inspect`]) so that
//!    raftsim checks Raft's safety invariants after every step; without it
//!    only the lab's own checks run;
//! 5. implement [`Factory`] (the lab's Make): it builds a node from persisted
//!    bytes, for every start and restart;
//! 6. keep the protocol listed on [`Node`] (answer every request once, apply
//!    in order, no past deadline after a timeout, peers only): raftsim checks it
//!    and fails a run that breaks it, naming the node, the input and the rule.
//!
//! `docs/testing-your-own-raft.md` walks through all of it; `examples/` is a
//! small Raft written against this crate, and `crates/raftrs` an adapter for
//! an existing one (tikv's raft-rs).
//!
//! Indexes at the seam are the **lab's numbering of commands**: the n-th
//! command a leader accepted is at index n, as `test_test.go` expects. A
//! Raft that appends entries of its own (a leader's no-op at election, as
//! etcd, raft-rs and openraft do) renumbers at its edge with [`Renumbering`],
//! which this crate ships and tests: its own log indexes stay its own, and
//! [`Inspect`] speaks them, while Start, ApplyMsg and Snapshot speak the lab's.

mod factory;
mod ids;
mod inspect;
mod node;
mod renumber;
mod wire;

pub use factory::{Factory, MakeArgs};
pub use ids::{Duration, Instant, LogIndex, NodeId, Term};
pub use inspect::{EntryKind, Inspect, LogEntry, NodeState, Role};
pub use node::{Apply, Delivery, Node, NotLeader, Output, Persist, Started};
pub use renumber::Renumbering;
pub use wire::{CallId, Header, WireMessage};
