//! `replay --format json` is complete enough for a checker outside the
//! project (tests/checker: it reads only the JSON) to verify Election
//! Safety, State Machine Safety, Log Matching by content and Figure 2's
//! term rule. On the correct core, over seeds of tests with elections,
//! partitions, crashes, lossy networks and snapshots, it finds nothing, and
//! it did read what it checks.

mod checker;

use checker::{check, replay_json};

#[test]
fn the_correct_core_breaks_nothing_the_checker_reads() {
    let tests = [
        "InitialElection2A",
        "ReElection2A",
        "FailAgree2B",
        "Backup2B",
        "Persist22C",
        "Figure8Unreliable2C",
        "SnapshotInstall2D",
        "SnapshotInstallCrash2D",
    ];
    for test in tests {
        for seed in 0..3 {
            let json = replay_json(test, seed, &sims::core_options(), None);
            let verdict = check(&json);
            assert!(verdict.violations.is_empty(), "{test} seed {seed}: {}", verdict.violations[0]);
            assert_eq!(verdict.outcome["outcome"], "pass", "{test} seed {seed}");
            for kind in ["step", "sent", "delivered", "log_changed", "applied"] {
                let needed = if test.ends_with("2A") && kind == "applied" { 0 } else { 1 };
                assert!(verdict.seen.get(kind).copied().unwrap_or(0) >= needed, "{test} seed {seed}: no {kind}");
            }
        }
    }
}

#[test]
fn the_checker_catches_a_hand_made_break_of_each_property() {
    let step = |node: u64, term: u64, leader: bool, input: &str| {
        format!(
            r#"{{"event":"step","node":{node},"input":{input},"before":{{"term":0,"leader":false}},"after":{{"term":{term},"leader":{leader},"snapshot_index":0}}}}"#
        )
    };
    let log = |node: u64, entries: &str| {
        format!(r#"{{"event":"log_changed","node":{node},"truncated_from":null,"appended":[{entries}]}}"#)
    };
    let lines = [
        step(0, 2, true, r#""timeout""#),
        step(1, 2, true, r#""timeout""#),
        r#"{"event":"sent","id":7,"term":5}"#.to_string(),
        step(2, 3, false, r#"{"message":7}"#),
        log(0, r#"{"index":1,"term":1,"command":10},{"index":2,"term":2,"command":20}"#),
        log(1, r#"{"index":1,"term":1,"command":11},{"index":2,"term":2,"command":20}"#),
        r#"{"event":"applied","node":0,"index":1,"term":1,"command":10}"#.to_string(),
        r#"{"event":"applied","node":1,"index":1,"term":1,"command":11}"#.to_string(),
        r#"{"event":"outcome"}"#.to_string(),
    ];
    let verdict = check(&lines.join("\n"));
    let found: Vec<(checker::Property, usize)> = verdict.violations.iter().map(|v| (v.property, v.line)).collect();
    assert_eq!(
        found,
        vec![
            (checker::Property::ElectionSafety, 1),
            (checker::Property::TermRule, 3),
            (checker::Property::LogMatching, 5),
            (checker::Property::StateMachineSafety, 7),
        ]
    );
}
