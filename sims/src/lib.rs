//! The lab's Raft tests (6.5840 2023 `test_test.go`, LAB-SPEC §4) as seeded
//! scenarios on the simulated tester, and the registry that names them.
//!
//! Each scenario is an `async fn(Cluster) -> Result<(), Failure>` that follows
//! its lab test step for step; [`registry`] lists them under the lab's names
//! with their setup, and [`run_test`] runs one seed of one of them. Beyond
//! the lab, the [`nemesis`] family ([`NEMESIS`], `Nemesis*`) mixes faults
//! per seed and ends with the liveness phase.

mod lab2a;
mod lab2b;
mod lab2c;
mod lab2d;
pub mod nemesis;
pub mod rafts;
mod registry;

pub use rafts::core_options;
pub use registry::{all_cases, find, matching, run_test, suggest, TestCase, NEMESIS, TESTS};
