//! The small trait through which the tester drives a Raft: the lab's contract
//! (Make, Start, GetState, Snapshot, ApplyMsg) in sans-IO form. The core in
//! `crates/raft` is the first implementation; another Raft can sit behind an
//! adapter and run under the same lab tests.

use std::sync::Arc;

use raft::{Instant, LogIndex, Message, NodeId, NotLeader, Output, Started, State, Term};

/// One Raft peer as the tester sees it.
pub trait RaftNode {
    fn handle_message(&mut self, now: Instant, from: NodeId, message: Message);
    fn handle_timeout(&mut self, now: Instant);
    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader>;
    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>);
    fn poll_output(&mut self) -> Option<Output>;
    fn poll_timeout(&self) -> Option<Instant>;
    /// GetState and more: term, role, indexes (read-only, for checks and traces).
    fn state(&self) -> State;
    /// The term of the entry at `index`: known for the snapshot's last index and live entries.
    fn term_at(&self, index: LogIndex) -> Option<Term>;
    /// The command of the live entry at `index`.
    fn command_at(&self, index: LogIndex) -> Option<&[u8]>;
}

/// Everything a Raft needs to be made (the lab's Make arguments, sans-IO).
#[derive(Clone, Debug)]
pub struct MakeArgs {
    pub me: NodeId,
    pub peers: u32,
    pub now: Instant,
    /// Seeds the node's own randomness; new for every incarnation.
    pub rng_seed: u64,
    /// The persisted Raft state (empty if none).
    pub raft_state: Vec<u8>,
    /// The persisted snapshot (empty if none).
    pub snapshot: Arc<[u8]>,
    /// A planted bug, by name (only with the `planted-bugs` feature).
    pub bug: Option<&'static str>,
}

/// Makes Raft nodes: the lab's Make.
pub trait RaftFactory {
    fn make(&self, args: MakeArgs) -> Result<Box<dyn RaftNode>, String>;
}

impl RaftNode for raft::Node {
    fn handle_message(&mut self, now: Instant, from: NodeId, message: Message) {
        raft::Node::handle_message(self, now, from, message)
    }

    fn handle_timeout(&mut self, now: Instant) {
        raft::Node::handle_timeout(self, now)
    }

    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        raft::Node::start(self, now, command)
    }

    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>) {
        raft::Node::snapshot(self, now, index, data)
    }

    fn poll_output(&mut self) -> Option<Output> {
        raft::Node::poll_output(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        raft::Node::poll_timeout(self)
    }

    fn state(&self) -> State {
        raft::Node::state(self)
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        self.log().term_at(index)
    }

    fn command_at(&self, index: LogIndex) -> Option<&[u8]> {
        self.log().entry(index).map(|entry| &*entry.command)
    }
}

/// Makes nodes of this crate's own core.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoreFactory;

impl RaftFactory for CoreFactory {
    fn make(&self, args: MakeArgs) -> Result<Box<dyn RaftNode>, String> {
        #[allow(unused_mut)]
        let mut config = raft::Config::new(args.me, args.peers, args.rng_seed);
        #[cfg(feature = "planted-bugs")]
        {
            config.bug = match args.bug {
                Some(name) => Some(raft::Bug::from_name(name).ok_or_else(|| format!("unknown planted bug {name:?}"))?),
                None => None,
            };
        }
        #[cfg(not(feature = "planted-bugs"))]
        if let Some(name) = args.bug {
            return Err(format!("planted bug {name:?} needs a build with the planted-bugs feature"));
        }
        let node = raft::Node::restore(config, args.now, &args.raft_state, args.snapshot).map_err(|e| e.to_string())?;
        Ok(Box::new(node))
    }
}
