//! Choosing the Raft under test from the command line: `--raft NAME` and
//! `--node-cmd CMD` on run, sweep and replay; the printed replay command
//! chooses the same Raft again. The node-protocol path runs the Python
//! example (python3 must be installed: the test fails, never skips, without it).

mod common;

use common::{raftsim, stderr, stdout};

fn python_node(extra: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/python/raft.py");
    format!("python3 -S {script}{extra}")
}

#[test]
fn list_rafts_names_the_core_and_the_node_protocol() {
    let output = raftsim(&["list", "--rafts"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.lines().next().is_some_and(|line| line.starts_with("core ")), "{text}");
    assert!(text.contains("raft-rs-prevote-cq"), "{text}");
    assert!(text.contains("--node-cmd CMD"), "{text}");
}

#[test]
fn an_unknown_raft_or_conflicting_choices_are_one_line_errors() {
    let output = raftsim(&["run", "InitialElection2A", "--seed", "1", "--raft", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "raftsim: unknown Raft 'nope' (known: core)\n".replace("core", &known()));
    let output = raftsim(&["sweep", "2A", "--seeds", "1", "--raft", "core", "--node-cmd", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("give one"), "{}", stderr(&output));
}

/// The Raft names `list --rafts` gives, as the error lists them.
fn known() -> String {
    let text = stdout(&raftsim(&["list", "--rafts"]));
    let names = text.lines().filter(|line| !line.starts_with('(')).map(|line| line.split_whitespace().next().unwrap());
    names.collect::<Vec<_>>().join(", ")
}

#[test]
fn a_python_node_passes_2a_through_the_cli_and_its_planted_bug_is_caught_and_explained() {
    let node = python_node("");
    let output = raftsim(&["sweep", "2A", "--seeds", "3", "--jobs", "2", "--node-cmd", &node]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    // 3 seeds of each 2A test, plus the regression seeds kept in sims/regressions.txt.
    assert!(stdout(&output).contains("InitialElection2A       3       0"), "{}", stdout(&output));
    assert!(stdout(&output).ends_with(" passed, 0 failed\n"), "{}", stdout(&output));

    let buggy = python_node(" --bug vote-twice");
    let output = raftsim(&["sweep", "ReElection2A", "--seeds", "10", "--jobs", "2", "--node-cmd", &buggy]);
    assert_eq!(output.status.code(), Some(100), "{}", stdout(&output));
    let text = stdout(&output);
    let replay = text.lines().find_map(|line| line.trim().strip_prefix("replay: ")).expect("a replay line");
    assert!(replay.ends_with(&format!("--node-cmd '{buggy}'")), "{replay}");
    // The printed command replays the failing seed of the same Python node, in columns, with a diagnosis.
    let seed = replay.split_whitespace().skip_while(|word| *word != "--seed").nth(1).unwrap();
    let output = raftsim(&["replay", "ReElection2A", "--seed", seed, "--node-cmd", &buggy, "--columns"]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("│ n0") && text.contains("│ n2"), "columns: {text}");
    assert!(text.contains("voted twice in term"), "{text}");
    assert!(text.contains("diagnosis ("), "{text}");
}
