//! Exit codes, as cargo-nextest uses them where they fit, and the shell's
//! convention for a signal (128 + its number). A usage error is one clear
//! line on stderr.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every run passed |
//! | 2 | bad usage: unknown test, bad argument, unreadable input (a malformed fault script: its line and column), an output that cannot be opened; `shrink` of a seed that passes |
//! | 4 | no run was made: nothing selected (an empty shard, a pattern with no seeds) |
//! | 100 | some run failed |
//! | 110 | writing an output failed after the runs (disk full): the report was still printed |
//! | 130 | interrupted by Ctrl-C (SIGINT): the runs made so far were reported |
//! | 143 | stopped by SIGTERM: the same |

/// Some run failed.
pub const FAILED: u8 = 100;
/// Bad usage: unknown test, bad argument, unreadable input, unwritable output.
pub const USAGE: u8 = 2;
/// Nothing to run (nextest's NO_TESTS_RUN).
pub const NO_RUNS: u8 = 4;
/// An output could not be written once the runs were made (nextest's WRITE_OUTPUT_ERROR).
pub const WRITE_ERROR: u8 = 110;
/// Interrupted by SIGINT (128 + 2).
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM (128 + 15).
pub const TERMINATED: u8 = 143;

/// The exit-code table, for `--help` and the README.
pub const TABLE: &str = "\
Exit codes:
  0    every run passed
  2    bad usage (one line on stderr; a malformed --script names its line and column)
  4    no run was made (nothing selected, an empty shard)
  100  some run failed
  110  an output could not be written (the report was still printed)
  130  interrupted by Ctrl-C (SIGINT): what ran was reported
  143  stopped by SIGTERM: what ran was reported";
