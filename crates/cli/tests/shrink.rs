//! `raftsim replay --script` and `raftsim shrink` as a user meets them: a
//! malformed script is one line naming its line and column (exit 2), a
//! written script replays, a seed that passes has nothing to shrink, and a
//! shrunk script replays to the same failure.

mod common;

use common::{assert_usage_error, raftsim, scratch, stdout};

#[test]
fn a_malformed_script_is_one_line_with_its_line_and_column() {
    let dir = scratch("bad-script");
    let path = dir.join("bad.script");
    std::fs::write(&path, "test Figure82C\n# fine\nmsg 12 drop dorp\n").unwrap();
    let file = path.to_str().unwrap();
    assert_usage_error(&["replay", "Figure82C", "--script", file], "line 3, column 13: 'dorp' is not a msg decision");
    std::fs::write(&path, "test ReElection2A\n").unwrap();
    assert_usage_error(&["replay", "Figure82C", "--script", file], "was made for ReElection2A");
    assert_usage_error(&["replay", "Figure82C", "--script", "/nonexistent/x.script"], "cannot read script");
}

#[test]
fn a_written_script_replays_and_unlisted_decisions_default() {
    let dir = scratch("script");
    let path = dir.join("short.script");
    // Two decisions, the rest default: a complete run of its own.
    std::fs::write(&path, "test Figure82C\nmsg 5 stall stall-us=3000\ndraw 3 value=7  # a longer pause\n").unwrap();
    let file = path.to_str().unwrap();
    let once = raftsim(&["replay", "Figure82C", "--script", file]);
    let twice = raftsim(&["replay", "Figure82C", "--script", file]);
    assert_eq!(once.status.code(), Some(0), "{}", stdout(&once));
    assert_eq!(stdout(&once), stdout(&twice), "a script replays byte for byte");
    // A script, not a seed, ran: the closing line says so (the seed is unused).
    assert!(stdout(&once).contains("--- PASS: Figure82C (script) at "), "{}", stdout(&once));
}

#[test]
fn a_passing_seed_has_nothing_to_shrink() {
    assert_usage_error(&["shrink", "InitialElection2A", "--seed", "1"], "passes: nothing to shrink");
}

#[cfg(feature = "planted-bugs")]
#[test]
fn a_shrunk_script_replays_to_the_same_failure() {
    let dir = scratch("shrunk");
    let path = dir.join("shrunk.script");
    let file = path.to_str().unwrap();
    let args = ["shrink", "SnapshotInstall2D", "--seed", "0", "--bug", "reapply-after-snapshot", "--out", file];
    let shrunk = raftsim(&args);
    assert_eq!(shrunk.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout(&shrunk), "--out holds what was printed");
    let stderr = common::stderr(&shrunk);
    assert!(
        stderr.contains("original: ") && stderr.contains("shrunk: ") && stderr.contains("replay:   raftsim replay")
    );
    // The script names its bug: no flag needed to replay it.
    let replayed = raftsim(&["replay", "SnapshotInstall2D", "--script", file]);
    assert_eq!(replayed.status.code(), Some(100));
    assert!(stdout(&replayed).contains("check:  State Machine Safety (§5.4.3)"), "{}", stdout(&replayed));
}
