//! The decision tape: a recorded run replayed from its tape (its non-default
//! draws, no seed) is the same run — same trace hash, same outcome — for the
//! lab's tests (reliable and unreliable, 2A..2D, long reordering) and the
//! nemesis scenarios; recording changes nothing about the run; and a run
//! with every decision left to its default is a complete, different run.

use std::sync::Arc;

use tester::tape::{Decide, Script};
use tester::Options;

const TESTS: &[&str] = &[
    "InitialElection2A",
    "ReElection2A",
    "FailAgree2B",
    "Figure8Unreliable2C",
    "UnreliableChurn2C",
    "SnapshotInstallUnreliable2D",
    "SnapshotAllCrash2D",
];

fn replays_from_its_tape(name: &str, seed: u64, base: &Options) {
    let case = sims::find(name).unwrap_or_else(|| panic!("no test {name}"));
    let plain = sims::run_test(case, seed, base);
    let recorded = sims::run_test(case, seed, &Options { decide: Decide::Record, ..base.clone() });
    assert_eq!(recorded.trace_hash, plain.trace_hash, "{name} seed {seed}: recording changed the run");
    let tape = recorded.tape.as_ref().expect("a recorded run keeps its tape");
    assert!(!tape.net.is_empty() && !tape.nodes.is_empty(), "{name} seed {seed}: the tape holds the draws");
    let script = Script::from_tape(tape);
    let replayed =
        sims::run_test(case, seed ^ 0xdead_beef, &Options { decide: Decide::Replay(Arc::new(script)), ..base.clone() });
    assert_eq!(replayed.trace_hash, plain.trace_hash, "{name} seed {seed}: the tape did not replay the run");
    assert_eq!(replayed.outcome, plain.outcome);
    assert_eq!(replayed.events, plain.events);
}

#[test]
fn lab_tests_replay_from_their_tapes() {
    for name in TESTS {
        for seed in 0..3 {
            replays_from_its_tape(name, seed, &sims::core_options());
        }
    }
}

#[test]
fn nemesis_scenarios_replay_from_their_tapes() {
    for case in sims::NEMESIS {
        for seed in 0..3 {
            replays_from_its_tape(case.name, seed, &sims::core_options());
        }
    }
}

#[test]
fn labrpc_exact_runs_replay_from_their_tapes() {
    let exact = Options { network: tester::Profile::LabrpcExact, ..sims::core_options() };
    for name in ["Figure8Unreliable2C", "UnreliableAgree2C"] {
        replays_from_its_tape(name, 5, &exact);
    }
}

#[test]
fn an_empty_script_is_a_complete_run_of_its_own() {
    let case = sims::find("Figure8Unreliable2C").unwrap();
    let empty = Options { decide: Decide::Replay(Arc::default()), ..sims::core_options() };
    let a = sims::run_test(case, 1, &empty);
    let b = sims::run_test(case, 2, &empty);
    assert_eq!(a.trace_hash, b.trace_hash, "no seed is used");
    assert!(a.passed(), "all defaults: {:?}", a.outcome);
    assert_ne!(a.trace_hash, sims::run_test(case, 1, &sims::core_options()).trace_hash);
}
