//! tikv's raft-rs (crates.io `raft` 0.7, protobuf codec) under the lab's
//! tests: an adapter from its `RawNode` to raftsim's node API.
//!
//! What it has to solve, each in its own module:
//! - [`node`]: virtual time as raft-rs ticks; election timeouts from the
//!   node's seed, never raft-rs's `thread_rng`; Ready drained in order
//!   (persist before speaking, Raft Figure 2); what the transport saw
//!   reported back (`report_unreachable`; `report_snapshot`, Failure when a
//!   snapshot call is lost, Finish when its reply arrives);
//! - [`storage`]: its own `Storage` (raft-rs's MemStorage invents an empty
//!   snapshot at the commit index), persisted incrementally, and the
//!   renumbering that hides the leader's empty entry from the lab's indexes;
//! - [`wire`]: one-way raft-rs messages as labrpc calls and replies, and the
//!   header's term only where Figure 2's term rule applies.
//!
//! Three variants, by the name `--raft` takes: `raft-rs` (plain),
//! `raft-rs-prevote` (pre-vote, thesis §9.6) and `raft-rs-prevote-cq`
//! (pre-vote and check-quorum, thesis §6.2). All three skip raft-rs's
//! commit broadcast (the commit index rides on the next append or
//! heartbeat): without it Count2B fails with "too many RPCs (48) for 10 entries".
//! raft-rs logs through slog: the adapter hands it a logger that discards everything.

mod inspect;
mod node;
mod storage;
mod wire;

use api::{Factory, MakeArgs};
use raft_rs::{Config, RawNode};

pub use node::{RaftRsNode, ELECTION_TICKS, HEARTBEAT_TICKS, TICK_US};

/// Which raft-rs options are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Plain,
    PreVote,
    PreVoteCheckQuorum,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Plain, Variant::PreVote, Variant::PreVoteCheckQuorum];

    /// The name `--raft` takes.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Plain => "raft-rs",
            Variant::PreVote => "raft-rs-prevote",
            Variant::PreVoteCheckQuorum => "raft-rs-prevote-cq",
        }
    }

    /// One line for `raftsim list --rafts`.
    pub fn description(self) -> &'static str {
        match self {
            Variant::Plain => "tikv's raft-rs 0.7 (no pre-vote, no check-quorum)",
            Variant::PreVote => "tikv's raft-rs 0.7 with pre-vote",
            Variant::PreVoteCheckQuorum => "tikv's raft-rs 0.7 with pre-vote and check-quorum",
        }
    }

    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|variant| variant.name() == name)
    }

    pub fn pre_vote(self) -> bool {
        self != Variant::Plain
    }

    pub fn check_quorum(self) -> bool {
        self == Variant::PreVoteCheckQuorum
    }
}

/// Makes raft-rs nodes of one variant.
#[derive(Clone, Copy, Debug)]
pub struct RaftRsFactory {
    variant: Variant,
}

impl RaftRsFactory {
    pub fn new(variant: Variant) -> RaftRsFactory {
        RaftRsFactory { variant }
    }

    fn config(&self, args: &MakeArgs, applied: u64) -> Config {
        Config {
            id: node::raft_id(args.me),
            election_tick: ELECTION_TICKS,
            heartbeat_tick: HEARTBEAT_TICKS,
            min_election_tick: ELECTION_TICKS,
            max_election_tick: 2 * ELECTION_TICKS,
            applied,
            max_size_per_msg: 1 << 20,
            max_inflight_msgs: 256,
            pre_vote: self.variant.pre_vote(),
            check_quorum: self.variant.check_quorum(),
            skip_bcast_commit: true,
            batch_append: true,
            ..Config::default()
        }
    }
}

impl Factory for RaftRsFactory {
    fn name(&self) -> &str {
        self.variant.name()
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn api::Node>, String> {
        let storage =
            storage::LabStorage::restore(args.peers, &args.raft_state, std::sync::Arc::clone(&args.snapshot))?;
        let config = self.config(&args, storage.snapshot_index());
        let logger = slog::Logger::root(slog::Discard, slog::o!());
        let raw = RawNode::new(&config, storage, &logger).map_err(|e| format!("raft-rs refused its state: {e}"))?;
        Ok(Box::new(RaftRsNode::new(raw, self.variant, args.rng_seed, args.now)))
    }
}
