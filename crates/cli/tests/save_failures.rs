//! `--save-failures` from sweeps running at once (issue 14): appends hold a
//! file lock and re-read the file under it, so no sweep's seeds vanish; every
//! failing seed is saved (there used to be a silent cap of 100 per test), and
//! `--save-max` says how many it left out. Needs the planted bugs for seeds
//! that fail.

#![cfg(feature = "planted-bugs")]

mod common;

use std::fs;
use std::process::{Command, Output};

use common::{scratch, stdout};

fn sweep_saving(file: &std::path::Path, start: u64, seeds: u64, more: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_raftsim"));
    command.args(["sweep", "InitialElection2A", "--bug", "fixed-election-timeout", "--jobs", "1", "--save-failures"]);
    command.args(["--start", &start.to_string(), "--seeds", &seeds.to_string(), "--regressions"]).arg(file).args(more);
    command
}

fn saved_lines(file: &std::path::Path) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap();
    text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).map(str::to_string).collect()
}

#[test]
fn two_sweeps_saving_at_once_lose_nothing_and_nothing_is_capped() {
    let dir = scratch("save-concurrent");
    for round in 0..3 {
        let file = dir.join(format!("regressions-{round}.txt"));
        // Every seed of InitialElection2A fails with this bug: 150 each, more than the old cap of 100.
        let mut children: Vec<_> = [0, 1000]
            .into_iter()
            .map(|start| sweep_saving(&file, start, 150, &[]).stdout(std::process::Stdio::piped()).spawn().unwrap())
            .collect();
        let outputs: Vec<Output> = children.drain(..).map(|child| child.wait_with_output().unwrap()).collect();
        for output in &outputs {
            assert_eq!(output.status.code(), Some(100));
            assert!(stdout(output).contains("saved 150 new failing seed(s)"), "{}", stdout(output));
        }
        let lines = saved_lines(&file);
        assert_eq!(lines.len(), 300, "round {round}: both sweeps' seeds are in the file");
        for seed in (0..150).chain(1000..1150) {
            let line = format!("InitialElection2A {seed}  # checkOneLeader: ");
            assert!(lines.iter().any(|saved| saved.starts_with(&line)), "round {round}: seed {seed} is saved");
        }
        let text = fs::read_to_string(&file).unwrap();
        assert_eq!(text.matches("# Regression seeds").count(), 1, "one header");
    }
}

#[test]
fn save_max_caps_out_loud() {
    let dir = scratch("save-max");
    let file = dir.join("regressions.txt");
    let output = sweep_saving(&file, 0, 30, &["--save-max", "10"]).output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("saved 10 new failing seed(s)"), "{text}");
    assert!(text.contains("; 20 more failing seed(s) not saved (--save-max)"), "{text}");
    assert_eq!(saved_lines(&file).len(), 10);
}

#[test]
fn failures_are_printed_as_they_happen_with_their_replay_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A", "--seeds", "3", "--bug", "fixed-election-timeout", "--jobs", "1"])
        .output()
        .unwrap();
    let progress = String::from_utf8(output.stderr).unwrap();
    for seed in 0..3 {
        assert!(progress.contains(&format!("FAIL InitialElection2A seed {seed}: checkOneLeader: ")), "{progress}");
        let replay =
            format!("     replay: raftsim replay InitialElection2A --seed {seed} --bug fixed-election-timeout");
        assert!(progress.contains(&replay), "{progress}");
    }
}
