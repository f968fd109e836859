//! The diagnosis after a failing check names the cause in Raft's terms:
//! split votes by term for a missing leader, the index's history for a
//! safety failure.

mod common;

use common::{raftsim, stdout};

#[cfg(feature = "planted-bugs")]
#[test]
fn a_fixed_election_timeout_shows_split_votes_by_term() {
    let output = raftsim(&[
        "run",
        "InitialElection2A",
        "--bug",
        "fixed-election-timeout",
        "--seed",
        "0",
        // Pinned in the zero-latency world, where every candidate stands at the same instant.
        "--network",
        "labrpc-exact",
    ]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    let diagnosis = &text[text.find("\ndiagnosis (").expect("a diagnosis") + 1..];
    assert!(
        diagnosis.contains("elections: 16 in terms 1–16, 0 won, 16 split; a leader needs 2 of 3 votes\n"),
        "{text}"
    );
    for term in 11..=16 {
        let line = format!(
            "\n  t{term} at {}.{:02}s: split vote n0←{{n0}} n1←{{n1}} n2←{{n2}}; denied: already voted ×6\n",
            term * 3 / 10,
            term * 30 % 100
        );
        assert!(diagnosis.contains(&line), "{line}: {text}");
    }
    assert!(diagnosis.contains("in 16 of 16 contested terms every candidate stood at the same instant"), "{text}");
    assert!(text.ends_with("  n2: candidate t16, applied 0\n"), "the diagnosis ends the output: {text}");
}

#[cfg(feature = "planted-bugs")]
#[test]
fn a_commit_from_an_earlier_term_shows_the_index_and_who_committed_it() {
    let output = raftsim(&[
        "run",
        "Figure8Unreliable2C",
        "--bug",
        "commit-previous-term",
        "--seed",
        "22",
        // Pinned in the zero-latency world (the values at stake are this seed's there).
        "--network",
        "labrpc-exact",
    ]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("holds a term-4 entry at index 5, where a term-1 entry was committed in term 6 (by n3)"));
    let diagnosis = &text[text.find("\ndiagnosis (").expect("a diagnosis") + 1..];
    let line = |start: &str| {
        diagnosis.lines().find(|line| line.starts_with(start)).unwrap_or_else(|| panic!("{start}: {text}"))
    };
    let written = line("index 5: written by leaders");
    assert!(written.contains("t1 by n3 at ") && written.contains("t4 by n0 at "), "{written}");
    // The two values at stake: what n3 committed and applied, and what the new leader n0 holds.
    assert!(written.contains("t1 by n3 at 0.46s value 6943"), "{written}");
    assert!(written.contains("t4 by n0 at 1.38s value 5873"), "{written}");
    assert!(line("  committed by leaders (commit index reaching 5): ").contains("n3 (leader t6) at "), "{text}");
    assert!(line("  applied at 5: ").contains("n3=6943"), "{text}");
    let leaders = line("leaders by term");
    assert!(
        leaders.contains("t1 n3 at ") && leaders.contains("t4 n0 at ") && leaders.contains("t6 n3 at "),
        "{leaders}"
    );
}

#[cfg(feature = "planted-bugs")]
#[test]
fn a_failing_replay_shows_the_diagnosis_just_before_the_check_and_reason() {
    let output = raftsim(&["replay", "InitialElection2A", "--bug", "fixed-election-timeout", "--seed", "0"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().rev().take(8).collect();
    assert_eq!(lines[0], "reason: expected one leader, got none");
    assert_eq!(lines[3], "  n2: candidate t16, applied 0");
    assert!(
        text.contains("\n  t16 at 4.80s: split vote n0←{n0} n1←{n1} n2←{n2}; denied: already voted ×6\n"),
        "{text}"
    );
}

#[test]
fn a_passing_run_has_no_diagnosis() {
    let text = stdout(&raftsim(&["run", "InitialElection2A", "--seed", "0"]));
    assert!(!text.contains("diagnosis"), "{text}");
}
