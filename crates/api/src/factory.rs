//! The lab's Make (LAB-SPEC §3, config.go's start1): a factory builds a node
//! for every start and restart, from the bytes its persister kept.

use std::sync::Arc;

use crate::{Instant, Node, NodeId};

/// Everything a Raft needs to be made (the lab's Make arguments, sans-IO).
#[derive(Clone, Debug)]
pub struct MakeArgs {
    pub me: NodeId,
    /// The number of servers; peers are `NodeId(0)..NodeId(peers)`.
    pub peers: u32,
    pub now: Instant,
    /// Seeds the node's own randomness (its election timeouts); new for every
    /// incarnation. A node must draw no randomness from anywhere else.
    pub rng_seed: u64,
    /// The persisted Raft state (empty if none).
    pub raft_state: Vec<u8>,
    /// The persisted snapshot (empty if none).
    pub snapshot: Arc<[u8]>,
}

/// Makes nodes of one Raft. Shared by every worker of a sweep, so `Send + Sync`.
pub trait Factory: Send + Sync {
    /// The Raft's name, as `--raft` takes it and replay commands print it.
    fn name(&self) -> &str;
    /// The lab's Make; an error is a one-line reason (e.g. corrupt persisted state).
    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String>;
}

/// A shared factory is a factory (so `Arc<dyn Factory>` goes wherever a `Factory` does).
impl<F: Factory + ?Sized> Factory for Arc<F> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        (**self).make(args)
    }
}

/// A boxed factory is a factory.
impl<F: Factory + ?Sized> Factory for Box<F> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        (**self).make(args)
    }
}

/// A borrowed factory is a factory (`&MyFactory as &dyn Factory` from a `static`).
impl<F: Factory + ?Sized> Factory for &F {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        (**self).make(args)
    }
}
