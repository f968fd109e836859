//! The library behind the `raftsim` command line: everything but argument
//! parsing, so that a user's own crate can sweep, replay and hunt without the binary.
//!
//! Driving manual:
//! - [`sweep`] runs many seeds of many tests over worker threads and reports a
//!   table per test; [`sweep::partition`] splits a seed set over machines,
//!   [`sweep::regressions`] keeps the seeds that once failed, [`sweep::jsonl`]
//!   writes one JSON line per run;
//!   [`sweep::groups`] groups the failures by kind with rates and 95% intervals;
//! - [`replay`] runs one seed with a recording subscriber and renders what
//!   happened: readable lines, one column per node, JSON lines, or a timeline
//!   (Perfetto trace-event JSON or SVG); [`replay::diagnosis`] explains a
//!   failure from the recorded events, [`replay::diff`] names the first event
//!   where two runs of one seed part;
//! - [`hunt`] sweeps every planted bug against the suite and says what caught it;
//! - [`output`] writes files whole or not at all, and stdout without panicking
//!   on a closed pipe; [`exit`] holds the exit codes (0, 100, 2, as nextest).
//!
//! This is the only crate allowed a wall clock, and only to report speed
//! (seeds per second) and progress, and for `sweep --time` to stop handing
//! out runs: no run's outcome ever depends on it.

pub mod bugs;
pub mod exit;
pub mod hunt;
pub mod network;
pub mod output;
pub mod replay;
pub mod sweep;

/// The one-line command that replays a seed with a readable trace.
pub fn replay_command(test: &str, seed: u64, bug: Option<&str>) -> String {
    match bug {
        Some(bug) => format!("raftsim replay {test} --seed {seed} --bug {bug}"),
        None => format!("raftsim replay {test} --seed {seed}"),
    }
}

/// The test a name names, or a one-line error that suggests the closest.
pub fn find_test(name: &str) -> Result<&'static sims::TestCase, String> {
    sims::find(name).ok_or_else(|| match sims::suggest(name) {
        Some(close) => format!("unknown test '{name}'; did you mean '{close}'? (`raftsim list` shows them all)"),
        None => format!("unknown test '{name}' (`raftsim list` shows them all)"),
    })
}
