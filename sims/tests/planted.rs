//! The harness bites: with each planted bug, a sweep of the test that catches
//! it finds a failing seed within a bound (measured with `raftsim hunt`, which
//! reports the same catches). The correct core passes the same seeds.

#![cfg(feature = "planted-bugs")]

/// (bug, a test that catches it, seeds within which it must).
const CATCHES: &[(&str, &str, u64)] = &[
    ("fixed-election-timeout", "InitialElection2A", 5),
    ("commit-previous-term", "Figure8Unreliable2C", 12),
    ("no-up-to-date-check", "FollowerFailure2B", 5),
    ("vote-not-persisted", "Figure82C", 5),
    ("log-not-persisted", "Persist12C", 5),
    ("truncate-on-stale", "UnreliableAgree2C", 5),
    ("commit-beyond-verified", "Rejoin2B", 5),
    ("heartbeat-no-timer-reset", "RPCBytes2B", 5),
    ("no-step-down-on-reply", "ReElection2A", 5),
    ("ignore-reply-term", "NemesisSwarm5", 18),
    ("snapshot-dropped-at-startup", "SnapshotInit2D", 5),
    ("reapply-after-snapshot", "SnapshotInstall2D", 5),
    ("send-before-persist", "NemesisSnapshot5", 32),
    ("duplicate-vote-count", "NemesisSwarm5", 5),
    ("match-index-from-own-log", "Rejoin2B", 5),
    ("install-stale-snapshot", "NemesisSnapshot3", 5),
];

/// The first failing seed of `test` with `bug`, among `seeds` seeds.
fn first_failure(bug: Option<&'static str>, test: &str, seeds: u64) -> Option<(u64, String)> {
    let case = sims::find(test).expect("registered test");
    let options = sims::rafts::options_with_bug(bug).expect("a planted bug of this build");
    (0..seeds).find_map(|seed| sims::run_test(case, seed, &options).outcome.err().map(|f| (seed, f.to_string())))
}

#[test]
fn every_planted_bug_is_caught() {
    let mut survivors = Vec::new();
    for &(bug, test, seeds) in CATCHES {
        if first_failure(Some(bug), test, seeds).is_none() {
            survivors.push(format!("{bug} survived {seeds} seeds of {test}"));
        }
    }
    assert!(survivors.is_empty(), "{}", survivors.join("\n"));
}

#[test]
fn the_catalogue_is_covered() {
    let tested: Vec<&str> = CATCHES.iter().map(|(bug, _, _)| *bug).collect();
    for bug in raft::Bug::ALL {
        assert!(tested.contains(&bug.name()), "planted bug {} has no catch here", bug.name());
    }
}

#[test]
fn the_correct_core_passes_where_the_bugs_fail() {
    for &(_, test, _) in CATCHES.iter().filter(|(_, test, _)| !test.contains("Figure8")) {
        assert_eq!(first_failure(None, test, 20), None, "{test} fails without a bug");
    }
}
