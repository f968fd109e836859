//! The outside checker (tests/checker, reading only `replay --format json`)
//! catches the planted bugs that break the properties it checks, at the
//! event that breaks them — with the tester's invariants on (the run stops
//! at that event, which the JSON still holds: a step is recorded before it
//! is judged, an apply before its checks) and off (the checker alone).
//!
//! No planted bug breaks Log Matching by content: over seeds of the lossy,
//! crashing 2B/2C/2D tests with invariants off, the checker's Log Matching
//! never fires (a leader writes one entry per index in its term, and the
//! one bug that makes two leaders of a term, `ignore-reply-term`, does not
//! get them both to write the same index in those runs). Its check is
//! proven on a hand-made trace in `json_checker.rs`.

#![cfg(feature = "planted-bugs")]

mod checker;

use checker::{check, replay_json, Property};

/// (bug, test, seed, the property it breaks, the event that breaks it, the tester's check).
const CAUGHT: [(&str, &str, u64, Property, &str, &str); 4] = [
    ("ignore-reply-term", "NemesisSwarm5", 36, Property::ElectionSafety, "step", "Election Safety (§5.2)"),
    ("no-step-down-on-reply", "ReElection2A", 0, Property::TermRule, "step", "Term rule (Figure 2, all servers)"),
    (
        "commit-beyond-verified",
        "Figure8Unreliable2C",
        9,
        Property::StateMachineSafety,
        "applied",
        "State Machine Safety (§5.4.3)",
    ),
    (
        "reapply-after-snapshot",
        "SnapshotInstall2D",
        0,
        Property::StateMachineSafety,
        "applied",
        "State Machine Safety (§5.4.3)",
    ),
];

#[test]
fn the_checker_catches_each_bug_at_the_event_the_tester_failed_on() {
    for (bug, test, seed, property, event, tester_check) in CAUGHT {
        let json = replay_json(test, seed, &harness::bugs::options(Some(bug)), Some(bug));
        let verdict = check(&json);
        let found = verdict.first(property).unwrap_or_else(|| panic!("{bug}: {property:?} not found: {verdict:?}"));
        assert_eq!(found.event, event, "{bug}: {found}");
        let failure = &verdict.outcome["failure"];
        assert_eq!(failure["check"], tester_check, "{bug}: {failure}");
        // The tester's failure is recorded right after the event that broke the property.
        let failed = verdict.failed_line.expect("the trace ends with its failure");
        assert!(found.line < failed, "{bug}: {found} before line {}", failed + 1);
        let between: Vec<&str> = json.lines().skip(found.line + 1).take(failed - found.line - 1).collect();
        assert!(
            between.iter().all(|line| !line.contains(r#""event":"step""#) && !line.contains(r#""event":"applied""#)),
            "{bug}: nothing else was judged in between: {between:?}"
        );
        if property == Property::StateMachineSafety {
            let index = failure["index"].as_u64().expect("the failure names its index");
            let broke: serde_json::Value = serde_json::from_str(json.lines().nth(found.line).unwrap()).unwrap();
            assert_eq!(broke["index"], index, "{bug}: the apply that broke it is at the failure's index");
        }
        println!("{bug} {test} seed {seed}: {found}");
    }
}

#[test]
fn with_the_invariants_off_the_checker_alone_catches_them() {
    for (bug, test, seed, property, event, _) in CAUGHT {
        let mut options = harness::bugs::options(Some(bug));
        options.check_invariants = false;
        let verdict = check(&replay_json(test, seed, &options, Some(bug)));
        let found = verdict.first(property).unwrap_or_else(|| panic!("{bug}: {property:?} not found"));
        assert_eq!(found.event, event, "{bug}: {found}");
        assert!(verdict.first(Property::LogMatching).is_none(), "{bug}: {:?}", verdict.first(Property::LogMatching));
    }
}
