//! A node's configuration: who it is, the cluster size, and its timing (§5.2, §9).

use crate::NodeId;

/// How one node is set up. Every field is a plain value: a config fully
/// determines a node's behaviour for a given sequence of inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// This node's id, in 0..peers.
    pub id: NodeId,
    /// The number of servers in the cluster (at most 64).
    pub peers: u32,
    /// Election timeouts are drawn uniformly from [min, max).
    pub election_timeout_min_us: u64,
    pub election_timeout_max_us: u64,
    /// A leader sends AppendEntries to every follower at least this often.
    pub heartbeat_interval_us: u64,
    /// An unanswered AppendEntries payload (or snapshot) is sent again after this long.
    pub resend_after_us: u64,
    /// Group commit: a Start waits this long for company, so Starts close
    /// together share one AppendEntries (0: send at once).
    pub batch_window_us: u64,
    /// The most entries one AppendEntries carries.
    pub max_entries_per_append: usize,
    /// Seeds the node's own RNG (election timeouts).
    pub rng_seed: u64,
    /// A planted bug to run with.
    #[cfg(feature = "planted-bugs")]
    pub bug: Option<crate::Bug>,
}

impl Config {
    /// The defaults for the lab: timeouts of 300–600 ms (the tester wants an
    /// election within 1 s and a leader within 5 s), ten heartbeats a second
    /// (the lab's limit), new entries sent 15 ms after the Start that made them.
    pub fn new(id: NodeId, peers: u32, rng_seed: u64) -> Config {
        assert!((1..=64).contains(&peers), "a cluster has 1..=64 servers, not {peers}");
        assert!(id.0 < peers, "node id {id} out of range for {peers} servers");
        Config {
            id,
            peers,
            election_timeout_min_us: 300_000,
            election_timeout_max_us: 600_000,
            heartbeat_interval_us: 100_000,
            // Twice the worst round trip of the lab's unreliable network (27 ms).
            resend_after_us: 50_000,
            // Well inside a heartbeat: ReliableChurn2C's clients then make the
            // handout's number of commands (about 1,700 against 1,544), not three
            // times as many, and a burst of Starts costs one round.
            batch_window_us: 15_000,
            max_entries_per_append: 256,
            rng_seed,
            #[cfg(feature = "planted-bugs")]
            bug: None,
        }
    }

    /// The number of votes (or replicas) that make a majority.
    pub fn quorum(&self) -> usize {
        self.peers as usize / 2 + 1
    }
}
