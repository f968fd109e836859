//! The reference node: our core served through the node protocol by
//! `raftsim-node` must run every lab test exactly as the in-process core
//! does — same outcome, same events, same trace hash — seed for seed.
//! `RAFTSIM_PROCESS_SEEDS` sets the seeds per test (default 3), and
//! `RAFTSIM_PROCESS_TESTS` which tests (a registry pattern such as `2A,2D`; default all 28).

use std::sync::Arc;

fn seeds() -> u64 {
    std::env::var("RAFTSIM_PROCESS_SEEDS").ok().and_then(|text| text.parse().ok()).unwrap_or(3)
}

#[test]
fn reference_node_hashes_equal_the_in_process_core_on_all_28_tests() {
    let reference = sims::rafts::process_factory(env!("CARGO_BIN_EXE_raftsim-node")).expect("a command line");
    let through_process = tester::Options::new(Arc::clone(&reference));
    let in_process = sims::core_options();
    assert_eq!(sims::TESTS.len(), 28);
    let pattern = std::env::var("RAFTSIM_PROCESS_TESTS").unwrap_or_else(|_| "all".to_string());
    let cases = sims::matching(&pattern);
    assert!(!cases.is_empty(), "no tests match {pattern:?}");
    let mut differences = Vec::new();
    for case in cases {
        for seed in 0..seeds() {
            let a = sims::run_test(case, seed, &in_process);
            let b = sims::run_test(case, seed, &through_process);
            if (a.trace_hash, a.events, &a.outcome) != (b.trace_hash, b.events, &b.outcome) {
                differences.push(format!(
                    "{} seed {seed}: in-process {:016x} ({} events, {:?}) vs process {:016x} ({} events, {:?})",
                    case.name, a.trace_hash, a.events, a.outcome, b.trace_hash, b.events, b.outcome
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{} differences:\n{}", differences.len(), differences.join("\n"));
}
