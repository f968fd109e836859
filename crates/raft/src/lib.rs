//! A sans-IO Raft core (Ongaro & Ousterhout, "In Search of an Understandable
//! Consensus Algorithm", extended version): events in, outputs out, no IO, no
//! clock, no threads, no hidden randomness.
//!
//! Driving manual:
//! 1. make a node with [`Node::new`] (fresh) or [`Node::restore`] (the lab's
//!    Make, from persisted bytes and the snapshot);
//! 2. feed it inputs: [`Node::handle_message`] for every delivered message,
//!    [`Node::handle_timeout`] when the clock reaches [`Node::poll_timeout`],
//!    and the service's requests [`Node::start`] and [`Node::snapshot`];
//! 3. after every input, drain [`Node::poll_output`] and carry the outputs
//!    out **in order**: a [`Output::Persist`] must be durable before any later
//!    output is acted on; [`Output::Send`] is a new request to a peer;
//!    [`Output::Reply`] answers the request being handled (exactly one per
//!    request); [`Output::Apply`] hands a committed command or an installed
//!    snapshot to the service;
//! 4. ask [`Node::poll_timeout`] again: deadlines move with every input.
//!
//! Stale, duplicate and reordered messages are peer behaviour, never errors:
//! they are ignored. Misuse by the caller is an `assert!`.

mod adapter;
mod append;
mod bugs;
mod config;
mod election;
mod log;
mod message;
mod node;
mod persist;
mod pool;
mod replication;
mod snapshot;

#[cfg(test)]
mod tests;

pub use adapter::CoreFactory;
pub use api::{Apply, NotLeader, Persist, Started};
pub use api::{Instant, LogIndex, NodeId, Term};
#[cfg(feature = "planted-bugs")]
pub use bugs::Bug;
pub use config::Config;
pub use election::VoteDenied;
pub use log::{Entry, Log};
pub use message::{
    AppendEntries, AppendEntriesReply, Conflict, InstallSnapshot, InstallSnapshotReply, Message, RequestVote,
    RequestVoteReply,
};
pub use node::{Node, RoleKind, State};
pub use persist::RestoreError;

/// The core's outputs with their messages decoded: what its unit tests
/// compare (the driver sees [`api::Output`], with opaque wire messages).
#[cfg(test)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// Send a new request to a peer.
    Send { to: NodeId, message: Message },
    /// Answer the request being handled.
    Reply { to: NodeId, message: Message },
    /// Make this state durable before carrying out any later output.
    Persist(Persist),
    /// Hand this to the service (the lab's ApplyMsg).
    Apply(Apply),
}
