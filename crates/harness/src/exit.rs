//! Exit codes, as cargo-nextest uses them: 0 when every run passed, 100 when
//! some run failed, 2 for bad usage (including an output file that cannot be
//! written). A usage error is one clear line on stderr.

/// Some run failed.
pub const FAILED: u8 = 100;
/// Bad usage: unknown test, bad argument, unreadable input, unwritable output.
pub const USAGE: u8 = 2;
