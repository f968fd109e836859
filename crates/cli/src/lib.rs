//! The `raftsim` command line, as a library so that its pieces can be tested:
//! the parallel seed sweep, the trace formatter, and bug-name lookup.
//!
//! This is the only crate allowed a wall clock, and only to report speed
//! (seeds per second) and progress: no run's outcome ever depends on it.

pub mod bugs;
pub mod sweep;
pub mod trace_format;
