//! The 6.824 lab's tester (`config.go`) on a deterministic simulation: a
//! cluster of Raft nodes on the labrpc model, persisters with the lab's
//! copy-on-crash semantics, the appliers and their checks, and the lab's
//! helpers (checkOneLeader, one, wait, ...) in virtual time.
//!
//! Driving manual: write a scenario as `async fn(Cluster) -> Result<(), Failure>`
//! and hand it to [`run`] with a seed and a [`Setup`] (servers, unreliable,
//! snapshot). The [`Report`] says whether it passed, why not, the lab's
//! statistics line and the trace hash. Any Raft behind the node API
//! ([`api::Node`], made by an [`api::Factory`]) runs through
//! [`Options::new`]; with [`Options::record`] the report carries the run's
//! typed trace ([`trace`]), from which every explanation is built; with
//! [`Options::decide`] a run records its decision [`tape`] or replays a
//! written script of decisions instead of its seed.

mod applier;
mod clock;
mod cluster;
mod cluster_faults;
pub mod coverage;
mod crashpoint;
mod failure;
mod faults;
mod invariants;
mod persister;
mod protocol;
mod recorder;
mod run;
pub mod tape;
pub mod trace;
mod value;
mod world;

pub use applier::{encode_snapshot, SNAPSHOT_INTERVAL};
pub use cluster::{Cluster, Stats, ELECTION_TIMEOUT_MS, MAX_LOG_SIZE_BYTES};
pub use coverage::{Coverage, Situation};
pub use failure::{Check, Failure, Invariant, LabCheck};
pub use labrpc::{Nemesis, Profile};
pub use persister::Persister;
pub use protocol::REPLY_BOUND_MS;
pub use run::{run, Options, Report, Setup, EVENT_LIMIT, LIVENESS_BOUND_MS, TEST_TIME_LIMIT_SECS};
pub use value::Value;
