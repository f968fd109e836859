//! The library behind the `raftsim` command line: everything but argument
//! parsing, so that a user's own crate can sweep, replay and hunt without the binary.
//!
//! Driving manual:
//! - [`sweep`] runs many seeds of many tests over worker threads and reports a
//!   table per test; [`sweep::partition`] splits a seed set over machines,
//!   [`sweep::regressions`] keeps the seeds that once failed, [`sweep::jsonl`]
//!   writes one JSON line per run;
//!   [`sweep::groups`] groups the failures by kind with rates and 95% intervals;
//! - [`replay`] runs one seed with the tester's typed trace recorded and
//!   renders what happened: readable lines, one column per node, JSON lines,
//!   or a timeline (Perfetto trace-event JSON or SVG); [`replay::diagnosis`]
//!   explains a failure from the typed events and the structured failure,
//!   [`replay::diff`] names the first event where two runs of one seed part;
//! - [`Rafts`] holds the Rafts one program knows (the built-ins, and a
//!   user's own registered by name) and chooses one ([`Selection`]); every
//!   printed replay command ([`Rerun`]) names the program and that Raft;
//! - [`hunt`] sweeps every planted bug against the suite and says what caught it;
//! - [`shrink`] cuts a failing seed down to a short fault script that fails the
//!   same check ([`shrink::script`] reads and writes the script);
//! - [`sweep::report`] merges the JSON lines of many shards into one report;
//! - [`output`] writes files whole or not at all (and FIFOs, devices and `-`
//!   straight), and stdout without panicking on a closed pipe; [`exit`] holds
//!   the exit codes (as nextest, and 130/143 for signals); [`interrupt`]
//!   turns the first Ctrl-C into a report of what ran.
//!
//! This is the only crate allowed a wall clock, and only to report speed
//! (seeds per second) and progress, and for `sweep --time` to stop handing
//! out runs: no run's outcome ever depends on it.

pub mod bugs;
pub mod exit;
pub mod hunt;
pub mod interrupt;
pub mod network;
pub mod output;
pub mod rafts;
pub mod replay;
pub mod rerun;
mod selection;
pub mod shrink;
pub mod sweep;

pub use rafts::Rafts;
pub use rerun::Rerun;
pub use selection::Selection;

/// The test a name names, or a one-line error that suggests the closest.
pub fn find_test(name: &str) -> Result<&'static sims::TestCase, String> {
    sims::find(name).ok_or_else(|| match sims::suggest(name) {
        Some(close) => format!("unknown test '{name}'; did you mean '{close}'? (`raftsim list` shows them all)"),
        None => format!("unknown test '{name}' (`raftsim list` shows them all)"),
    })
}
