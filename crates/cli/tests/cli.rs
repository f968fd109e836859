//! The `raftsim` binary as a user runs it: outputs, exit codes, bad input.

use std::process::{Command, Output};

fn raftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftsim")).args(args).output().expect("raftsim runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

#[test]
fn list_names_all_28_tests() {
    let output = raftsim(&["list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 28);
    assert!(text.lines().next().unwrap().starts_with("InitialElection2A"));
}

#[test]
fn run_prints_the_lab_line_and_replays_identically() {
    let first = raftsim(&["run", "InitialElection2A", "--seed", "7"]);
    let second = raftsim(&["run", "InitialElection2A", "--seed", "7"]);
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(first.stdout, second.stdout);
    let text = stdout(&first);
    assert!(text.contains("Test (2A): initial election ..."), "{text}");
    assert!(text.contains("... Passed --"), "{text}");
    assert!(text.contains("trace "), "{text}");
}

#[test]
fn traces_of_one_seed_are_byte_identical() {
    let first = raftsim(&["run", "ReElection2A", "--seed", "3", "--trace"]);
    let second = raftsim(&["run", "ReElection2A", "--seed", "3", "--trace"]);
    assert_eq!(first.status.code(), Some(0));
    assert!(first.stdout.len() > 10_000, "a trace has every event");
    assert!(first.stdout == second.stdout, "two traces of one seed differ");
    let text = stdout(&first);
    assert!(text.contains("became leader"));
    assert!(text.contains("send → n"));
    assert!(text.contains("disconnect"));
}

#[test]
fn different_seeds_give_different_traces() {
    let a = raftsim(&["run", "InitialElection2A", "--seed", "1"]);
    let b = raftsim(&["run", "InitialElection2A", "--seed", "2"]);
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn sweep_ends_with_the_counts_line_and_exit_zero() {
    let output = raftsim(&["sweep", "2A", "--seeds", "20", "--jobs", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().last(), Some("60 passed, 0 failed"));
}

#[test]
fn sweep_output_does_not_depend_on_the_worker_count() {
    let digests = |jobs: &str| -> Vec<String> {
        let text = stdout(&raftsim(&["sweep", "2A", "--seeds", "50", "--jobs", jobs]));
        // Test name, counts and digest: everything but the speed column.
        text.lines()
            .filter(|line| line.ends_with(|c: char| c.is_ascii_hexdigit()) && line.contains("2A"))
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                format!("{} {} {} {}", fields[0], fields[1], fields[2], fields[fields.len() - 1])
            })
            .collect()
    };
    let one = digests("1");
    assert_eq!(one.len(), 3);
    assert_eq!(one, digests("2"));
    assert_eq!(one, digests("3"));
}

#[test]
fn unknown_test_suggests_the_closest_and_exits_2() {
    let output = raftsim(&["run", "InitalElection2A", "--seed", "1"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("did you mean 'InitialElection2A'"), "{text}");
    assert_eq!(text.lines().count(), 1, "one clear line: {text}");
    assert!(!text.contains("panicked"));
}

#[test]
fn bad_usage_exits_2_without_a_panic() {
    for args in [
        &["run", "InitialElection2A", "--seed", "minus-one"][..],
        &["run", "InitialElection2A"],
        &["sweep", "2A", "--seeds", "0"],
        &["sweep", "2A", "--seeds", "10", "--jobs", "0"],
        &["sweep", "nothing-like-this", "--seeds", "10"],
        &["sweep", "2A", "--seeds", "10", "--start", "18446744073709551615"],
        &["frobnicate"],
    ] {
        let output = raftsim(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{args:?}");
        assert!(!stderr(&output).is_empty(), "{args:?} says why");
    }
}

#[test]
fn a_failing_seed_exits_100_with_its_replay_command() {
    if !cfg!(feature = "planted-bugs") {
        let output = raftsim(&["run", "InitialElection2A", "--seed", "1", "--bug", "fixed-election-timeout"]);
        assert_eq!(output.status.code(), Some(2), "no planted bugs in this build");
        return;
    }
    let output = raftsim(&["sweep", "InitialElection2A", "--seeds", "5", "--bug", "fixed-election-timeout"]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("FAIL InitialElection2A seed 0: checkOneLeader: expected one leader, got none"), "{text}");
    assert!(text.contains("replay: raftsim run InitialElection2A --seed 0 --bug fixed-election-timeout"), "{text}");
    assert!(text.ends_with("0 passed, 5 failed\n"), "{text}");

    let run = raftsim(&["run", "InitialElection2A", "--seed", "0", "--bug", "fixed-election-timeout"]);
    assert_eq!(run.status.code(), Some(100));
    assert!(stdout(&run).contains("--- FAIL: InitialElection2A (seed 0)"));

    let unknown = raftsim(&["run", "InitialElection2A", "--seed", "0", "--bug", "no-such-bug"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown planted bug"));
}
