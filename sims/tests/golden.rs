//! Seed replay is byte-for-byte: the trace hashes of a few hundred (test, seed)
//! pairs are pinned in `golden/trace-hashes.txt`. The file was written by one
//! build and is checked by every build (debug, release, any machine), so a
//! difference means a run no longer replays. It changes only on purpose: when
//! the protocol or the harness changes behaviour, re-bless it with
//! `RAFTSIM_BLESS=1 cargo test --release -p raftsim-sims --test golden` and say
//! why in the commit.

use std::fmt::Write as _;
use std::path::PathBuf;

/// The header of `golden/labrpc-exact-hashes.txt`: where its hashes come from.
const LABRPC_EXACT_HEADER: &str = "\
# test seed trace-hash under --network labrpc-exact (zero latency, in order: the world from before message timing); see sims/tests/golden.rs
# These were commit 21cfc88's hashes (before message timing and the node seam) until the core stopped sending
# a round of AppendEntries per commit advance (followers learn the commit from the next AppendEntries or
# heartbeat), and again when it began to batch Starts (group commit, 15 ms) and to probe silent followers
# with heartbeats instead of resending their backlog (issue 16), and when the trace hash began to fold long
# byte strings through four lanes and each word through wyhash's mix, with the old state and the word
# folded in so that no word erases the history (the same events, other hashes): re-blessed then, on
# purpose, and only then.
";

fn labrpc_exact_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/labrpc-exact-hashes.txt")
}

fn labrpc_exact_options() -> tester::Options {
    tester::Options { network: tester::Profile::LabrpcExact, ..sims::core_options() }
}

/// The `test seed hash` lines of a golden file (`#` lines are comments).
fn pinned(text: &str) -> Vec<(&'static sims::TestCase, u64, &str)> {
    let lines = text.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty());
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [name, seed, hash] = fields[..] else { panic!("malformed golden line: {line}") };
            let case = sims::find(name).unwrap_or_else(|| panic!("golden file names unknown test {name}"));
            (case, seed.parse().expect("seed"), hash)
        })
        .collect()
}

/// Runs every pinned pair: the ones whose trace hash is no longer the pinned one.
fn mismatches(pairs: &[(&'static sims::TestCase, u64, &str)], options: &tester::Options) -> Vec<String> {
    let mut mismatches = Vec::new();
    for &(case, seed, hash) in pairs {
        let got = format!("{:016x}", sims::run_test(case, seed, options).trace_hash);
        if got != hash {
            mismatches.push(format!("{} seed {seed}: golden {hash}, got {got}", case.name));
        }
    }
    mismatches
}

/// Rewrites the labrpc-exact file over the same (test, seed) pairs it pins.
fn bless_labrpc_exact(text: &str) {
    let mut out = String::from(LABRPC_EXACT_HEADER);
    for (case, seed, _) in pinned(text) {
        let report = sims::run_test(case, seed, &labrpc_exact_options());
        writeln!(out, "{} {seed} {:016x}", case.name, report.trace_hash).unwrap();
    }
    std::fs::write(labrpc_exact_path(), out).unwrap();
}

/// Under `labrpc-exact` (zero latency, in order) the world is the one raftsim
/// had before message timing: it must replay the hashes pinned for it.
#[test]
fn labrpc_exact_replays_its_pinned_hashes() {
    if std::env::var_os("RAFTSIM_BLESS").is_some() {
        let text = std::fs::read_to_string(labrpc_exact_path()).expect("golden/labrpc-exact-hashes.txt exists");
        bless_labrpc_exact(&text);
    }
    let text = std::fs::read_to_string(labrpc_exact_path()).expect("golden/labrpc-exact-hashes.txt exists");
    let pairs = pinned(&text);
    assert!(pairs.len() >= 50, "only {} labrpc-exact pairs", pairs.len());
    let mismatches = mismatches(&pairs, &labrpc_exact_options());
    assert!(mismatches.is_empty(), "labrpc-exact no longer replays:\n{}", mismatches.join("\n"));
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/trace-hashes.txt")
}

/// Seeds pinned per test, by part: enough for a few hundred pairs in all.
fn seeds_for(part: &str) -> u64 {
    match part {
        "2A" => 100,
        "2B" => 20,
        _ => 5,
    }
}

fn bless() {
    let mut text = String::from("# test seed trace-hash — see sims/tests/golden.rs before changing\n");
    for case in sims::all_cases() {
        for seed in 0..seeds_for(case.part()) {
            let report = sims::run_test(case, seed, &sims::core_options());
            writeln!(text, "{} {seed} {:016x}", case.name, report.trace_hash).unwrap();
        }
    }
    std::fs::create_dir_all(golden_path().parent().unwrap()).unwrap();
    std::fs::write(golden_path(), text).unwrap();
}

#[test]
fn trace_hashes_match_the_golden_file() {
    if std::env::var_os("RAFTSIM_BLESS").is_some() {
        bless();
    }
    let text = std::fs::read_to_string(golden_path()).expect("golden/trace-hashes.txt exists");
    let pairs = pinned(&text);
    assert!(pairs.len() >= 300, "only {} pinned pairs", pairs.len());
    assert!(text.contains("\nNemesisSwarm5 "), "the nemesis family is pinned too");
    let mismatches = mismatches(&pairs, &sims::core_options());
    assert!(
        mismatches.is_empty(),
        "{} of {} runs no longer replay:\n{}",
        mismatches.len(),
        pairs.len(),
        mismatches.join("\n")
    );
}
