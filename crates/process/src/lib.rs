//! Any language under the lab's tests: a Raft in its own process speaks
//! raftsim's node protocol (docs/node-protocol.md) — one JSON object per
//! line on its stdin and stdout — and runs behind [`api::Node`] like our
//! own core, in virtual time, from one seed, replayable.
//!
//! Driving manual:
//! 1. [`ProcessFactory::new`] takes the node's command line (`python3
//!    examples/python/raft.py`); hand it to the tester's `Options::new` like
//!    any [`api::Factory`]. Every start and restart spawns a process; a crash kills it;
//! 2. the adapter writes one input and reads outputs up to `done`,
//!    synchronously: the run is as deterministic as the node is;
//! 3. a node that breaks the protocol fails the run with a `NodePanic`
//!    naming the node, what was wrong, the last input and its stderr tail;
//!    a node silent past the per-step bound ([`ProcessFactory::with_step_bound`],
//!    wall clock, failure detection only) fails the same way;
//! 4. [`serve`] is the other side, for a Rust Raft: `raftsim-node` serves
//!    our core with it, and its runs hash exactly as in-process runs do.

mod base64;
mod child;
mod cmdline;
mod mirror;
mod names;
mod node;
pub mod protocol;
mod serve;

pub use node::{ProcessFactory, ProcessNode, DEFAULT_STEP_BOUND};
pub use serve::serve;
