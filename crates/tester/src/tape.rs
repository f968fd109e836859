//! A run's decision tape: its three streams of draws — the network's (each
//! message's latency, drop, reordering and nemesis extras, by message id), the
//! nodes' (each incarnation's `MakeArgs` seed, from which a Raft draws its
//! election timeouts), and the scenario's (which server to crash, how long to
//! sleep, each command, by draw count) — recorded as a run draws them, or
//! written out and replayed instead of a seed (see [`sim::Source`]).
//! Recording costs nothing when off: each draw then takes one predictable
//! branch and no allocation.

use std::sync::Arc;

use sim::{Decisions, Entry, Source};

/// The names of the network's draws (a fault script's `msg` sites).
pub use labrpc::site as net_sites;

/// The name of a node incarnation's seed draw.
pub const NODE_SEED: sim::Site = "seed";
/// The names of the scenario's draws: a bounded value, a chance, a raw 64-bit draw.
pub const VALUE: sim::Site = "value";
pub const CHANCE: sim::Site = "yes";
pub const BITS: sim::Site = "bits";

/// The seed stream of each of the run's draw streams.
const NET_STREAM: u64 = 1;
const NODE_STREAM: u64 = 2;
const SCENARIO_STREAM: u64 = 3;

/// Where a run's draws come from.
#[derive(Clone, Debug, Default)]
pub enum Decide {
    /// The seed's streams (the default).
    #[default]
    Seed,
    /// The seed's streams, recorded into [`crate::Report::tape`].
    Record,
    /// Written decisions; unlisted ones take their neutral default. The seed is not used.
    Replay(Arc<Script>),
    /// [`Decide::Replay`], recording what the decisions gave into [`crate::Report::tape`].
    ReplayRecord(Arc<Script>),
}

impl Decide {
    /// Whether the run's draws end up in [`crate::Report::tape`].
    pub fn records(&self) -> bool {
        matches!(self, Decide::Record | Decide::ReplayRecord(_))
    }
}

/// Written decisions for the three streams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub net: Decisions,
    pub nodes: Decisions,
    pub scenario: Decisions,
}

impl Script {
    /// The non-default draws of a tape: replaying them replays the taped run.
    pub fn from_tape(tape: &Tape) -> Script {
        Script {
            net: Decisions::from_entries(&tape.net),
            nodes: Decisions::from_entries(&tape.nodes),
            scenario: Decisions::from_entries(&tape.scenario),
        }
    }

    /// Written decisions in all (one per context).
    pub fn len(&self) -> usize {
        self.net.contexts() + self.nodes.contexts() + self.scenario.contexts()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every draw of a recorded run, stream by stream, in draw order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tape {
    pub net: Vec<Entry>,
    pub nodes: Vec<Entry>,
    pub scenario: Vec<Entry>,
}

/// The three sources of one run.
pub(crate) struct Sources {
    pub net: Source,
    pub nodes: Source,
    pub scenario: Source,
    /// Incarnations made so far (the node stream's context).
    pub incarnations: u64,
    /// Scenario draws so far (the scenario stream's context).
    pub scenario_draws: u64,
}

impl Sources {
    pub fn new(seed: u64, decide: &Decide) -> Sources {
        let (net, nodes, scenario) = match decide {
            Decide::Seed => (
                Source::seeded(seed, NET_STREAM),
                Source::seeded(seed, NODE_STREAM),
                Source::seeded(seed, SCENARIO_STREAM),
            ),
            Decide::Record => (
                Source::recording(seed, NET_STREAM),
                Source::recording(seed, NODE_STREAM),
                Source::recording(seed, SCENARIO_STREAM),
            ),
            Decide::Replay(script) => (
                Source::replaying(Arc::new(script.net.clone())),
                Source::replaying(Arc::new(script.nodes.clone())),
                Source::replaying(Arc::new(script.scenario.clone())),
            ),
            Decide::ReplayRecord(script) => (
                Source::replaying_recorded(Arc::new(script.net.clone())),
                Source::replaying_recorded(Arc::new(script.nodes.clone())),
                Source::replaying_recorded(Arc::new(script.scenario.clone())),
            ),
        };
        Sources { net, nodes, scenario, incarnations: 0, scenario_draws: 0 }
    }

    /// The recorded draws (empty streams unless recording).
    pub fn take_tape(&mut self) -> Tape {
        Tape { net: self.net.take_entries(), nodes: self.nodes.take_entries(), scenario: self.scenario.take_entries() }
    }
}

/// The seed an unlisted incarnation gets: distinct per incarnation, so that
/// servers do not time out in lockstep.
pub fn default_node_seed(incarnation: u64) -> u64 {
    (incarnation + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
