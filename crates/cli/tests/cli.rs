//! The `raftsim` binary as a user runs it: list, run, bugs, exit codes, bad input.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{assert_usage_error, planted_bugs, raftsim, stdout};

#[test]
fn list_names_all_28_tests_then_the_nemesis_family() {
    let output = raftsim(&["list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 28 + sims::NEMESIS.len());
    assert!(text.lines().skip(28).all(|line| line.starts_with("Nemesis")));
    assert!(text.lines().next().unwrap().starts_with("InitialElection2A"));
}

#[test]
fn help_and_version_exit_zero() {
    for args in [&["--help"][..], &["sweep", "--help"], &["replay", "--help"], &["--version"]] {
        let output = raftsim(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(!stdout(&output).is_empty());
    }
    let help = stdout(&raftsim(&["replay", "--help"]));
    for option in ["--columns", "--color", "--nodes", "--topics", "--from", "--until", "--format", "--timeline"] {
        assert!(help.contains(option), "replay --help mentions {option}");
    }
    let help = stdout(&raftsim(&["sweep", "--help"]));
    for option in ["--fail-fast", "--check-determinism", "--partition", "--json", "--regressions", "--save-failures"] {
        assert!(help.contains(option), "sweep --help mentions {option}");
    }
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
    assert!(text.contains("replay: raftsim replay InitialElection2A --seed 7"), "{text}");
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
    assert!(text.lines().any(|line| line.contains(" send #") && line.contains(" → n")), "{text}");
    assert!(text.contains("disconnect"));
}

#[test]
fn different_seeds_give_different_traces() {
    let a = raftsim(&["run", "InitialElection2A", "--seed", "1"]);
    let b = raftsim(&["run", "InitialElection2A", "--seed", "2"]);
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn unknown_tests_suggest_the_closest_and_exit_2() {
    assert_usage_error(&["run", "InitalElection2A", "--seed", "1"], "did you mean 'InitialElection2A'");
    assert_usage_error(&["replay", "InitalElection2A", "--seed", "1"], "did you mean 'InitialElection2A'");
    assert_usage_error(&["sweep", "InitalElection2A", "--seeds", "1"], "did you mean 'InitialElection2A'");
    assert_usage_error(&["sweep", "nothing-like-this", "--seeds", "10"], "no test matches 'nothing-like-this'");
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    for (args, why) in [
        (&["run", "InitialElection2A", "--seed", "minus-one"][..], "invalid value 'minus-one' for '--seed <SEED>'"),
        (&["run", "InitialElection2A"], "--seed <SEED>"),
        (&["replay", "InitialElection2A", "--seed", "-1"], "invalid value '-1' for '--seed <SEED>'"),
        (&["sweep", "2A", "--seeds", "-5"], "invalid value '-5' for '--seeds <SEEDS>'"),
        (&["replay", "InitialElection2A", "--seed", "18446744073709551616"], "--seed"),
        (&["sweep", "2A", "--seeds", "0"], "0 is not in 1.."),
        (&["sweep", "2A", "--seeds", "10", "--jobs", "0"], "--jobs"),
        (&["sweep", "2A", "--seeds", "10", "--start", "18446744073709551615"], "overflows the seed range"),
        (&["sweep", "2A", "--seeds", "ten"], "invalid value 'ten'"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (&["replay", "InitialElection2A", "--seed", "1", "--bogus"], "unexpected argument '--bogus'"),
    ] {
        assert_usage_error(args, why);
    }
}

#[test]
fn a_failing_seed_exits_100_with_its_replay_command() {
    if !planted_bugs() {
        assert_usage_error(
            &["run", "InitialElection2A", "--seed", "1", "--bug", "fixed-election-timeout"],
            "built without planted bugs",
        );
        return;
    }
    let output = raftsim(&["sweep", "InitialElection2A", "--seeds", "5", "--bug", "fixed-election-timeout"]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("FAIL InitialElection2A seed 0: checkOneLeader: expected one leader, got none"), "{text}");
    assert!(text.contains("replay: raftsim replay InitialElection2A --seed 0 --bug fixed-election-timeout"), "{text}");
    assert!(text.ends_with("0 passed, 5 failed\n"), "{text}");

    let run = raftsim(&["run", "InitialElection2A", "--seed", "0", "--bug", "fixed-election-timeout"]);
    assert_eq!(run.status.code(), Some(100));
    assert!(stdout(&run).contains("--- FAIL: InitialElection2A (seed 0)"));

    assert_usage_error(&["run", "InitialElection2A", "--seed", "0", "--bug", "no-such-bug"], "unknown planted bug");
    assert!(stdout(&raftsim(&["bugs"])).contains("fixed-election-timeout"));
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["replay", "UnreliableChurn2C", "--seed", "1"]) // megabytes of trace
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let mut errors = String::new();
    child.stderr.take().unwrap().read_to_string(&mut errors).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{errors}");
    assert!(errors.is_empty(), "{errors}");
}
