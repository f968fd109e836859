//! The example Raft under the lab's 2A and 2B tests, a few hundred seeds
//! each, through sims exactly as `raftsim sweep` runs them: the lab's
//! checks, Raft's invariants after every step, and the liveness phase.

use std::sync::Arc;

use tester::Options;

fn sweep(part: &str, seeds: u64) {
    let options = Options::new(Arc::new(examples::ExampleFactory));
    let mut failures = Vec::new();
    for case in sims::matching(part) {
        for seed in 0..seeds {
            if let Err(failure) = sims::run_test(case, seed, &options).outcome {
                failures.push(format!("{} seed {seed}: {failure}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_example_passes_2a_on_300_seeds() {
    sweep("2A", 300);
}

#[test]
fn the_example_passes_2b_on_200_seeds() {
    sweep("2B", 200);
}

#[test]
fn a_seed_of_the_example_replays_to_the_same_trace() {
    let options = Options::new(Arc::new(examples::ExampleFactory));
    for case in sims::matching("2A, 2B") {
        let first = sims::run_test(case, 7, &options);
        let second = sims::run_test(case, 7, &options);
        assert_eq!(first.trace_hash, second.trace_hash, "{} seed 7 differs between two runs", case.name);
    }
}
