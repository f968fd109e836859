//! The Python example (examples/python/raft.py, standard library only) under
//! the lab's 2A and 2B tests through the node protocol: it must pass; with
//! its planted bug switched on (`--bug vote-twice`) the sweep must fail.
//! python3 must be installed: without it these tests fail, loudly.
//! `RAFTSIM_PYTHON_SEEDS` sets the seeds per test (default 20).

use std::path::PathBuf;

mod common;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/python/raft.py")
}

fn options(flags: &str) -> tester::Options {
    // -S: no site packages to import (the example needs only the standard library): 0.1 s less per node start.
    let command = format!("'{}' -S '{}' {flags}", common::python3(), example().display());
    tester::Options::new(sims::rafts::process_factory(&command).expect("a command line"))
}

fn seeds() -> u64 {
    std::env::var("RAFTSIM_PYTHON_SEEDS").ok().and_then(|text| text.parse().ok()).unwrap_or(20)
}

/// Every failing (test, seed) of `part`.
fn failing(part: &str, options: &tester::Options, seeds: u64) -> Vec<(&'static sims::TestCase, u64, String)> {
    let mut failures = Vec::new();
    for case in sims::matching(part) {
        for seed in 0..seeds {
            let report = sims::run_test(case, seed, options);
            if let Err(failure) = report.outcome {
                failures.push((case, seed, failure.to_string()));
            }
        }
    }
    failures
}

/// Every failing (test, seed) of `part`, as one line each.
fn sweep(part: &str, options: &tester::Options, seeds: u64) -> Vec<String> {
    let failures = failing(part, options, seeds);
    failures.into_iter().map(|(case, seed, failure)| format!("{} seed {seed}: {failure}", case.name)).collect()
}

#[test]
fn python3_is_installed() {
    assert!(!common::python3().is_empty());
}

#[test]
fn python_raft_passes_2a() {
    let failures = sweep("2A", &options(""), seeds());
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn python_raft_passes_2b() {
    let failures = sweep("2B", &options(""), seeds());
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn python_raft_runs_replay_byte_for_byte() {
    let options = options("");
    let case = sims::find("FailAgree2B").expect("registered");
    let (a, b) = (sims::run_test(case, 7, &options), sims::run_test(case, 7, &options));
    assert!(a.passed(), "{:?}", a.outcome);
    assert_eq!((a.trace_hash, a.events), (b.trace_hash, b.events));
}

#[test]
fn python_raft_with_its_planted_bug_fails_a_2a_sweep_on_an_invariant() {
    let options = options("--bug vote-twice");
    let failures = failing("2A", &options, seeds());
    // The first failing seed, recorded: the typed trace that replays are built from.
    let Some(&(case, seed, _)) = failures.first() else {
        panic!("the planted bug went unnoticed over {} seeds", seeds());
    };
    let recorded = sims::run_test(case, seed, &tester::Options { record: true, ..options.clone() });
    let failure = recorded.outcome.expect_err("the same seed fails when recorded");
    // Caught by Raft's invariants: the vote changing within a term, or two leaders in one.
    let caught = [tester::Invariant::Monotonic, tester::Invariant::ElectionSafety].map(tester::Check::Invariant);
    assert!(caught.contains(&failure.check), "{failure}");
    let trace = recorded.trace.expect("a recorded trace");
    let summaries: Vec<&str> = trace
        .iter()
        .filter_map(|traced| match &traced.event {
            tester::trace::TraceEvent::Sent { summary, .. } => Some(summary.as_str()),
            _ => None,
        })
        .collect();
    assert!(summaries.iter().any(|s| s.starts_with("RequestVote(t")), "the node's summaries: {summaries:?}");
    assert!(summaries.iter().any(|s| s.starts_with("VoteReply(t")), "the node's summaries: {summaries:?}");
}
