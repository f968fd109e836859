//! Every lab test over many seeds with the correct core: all must pass.
//! (The CLI's sweep runs thousands more; these keep `cargo test` honest and quick.)

fn sweep(part: &str, seeds: u64) {
    let cases = sims::matching(part);
    assert!(!cases.is_empty(), "no tests for {part}");
    let mut failures = Vec::new();
    for case in cases {
        for seed in 0..seeds {
            let report = sims::run_test(case, seed, &sims::core_options());
            if let Err(failure) = report.outcome {
                failures.push(format!("{} seed {seed}: {failure}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn lab_2a_passes_200_seeds_each() {
    sweep("2A", 200);
}

#[test]
fn lab_2b_passes_100_seeds_each() {
    sweep("2B", 100);
}

#[test]
fn lab_2c_passes_30_seeds_each() {
    sweep("2C", 30);
}

#[test]
fn lab_2d_passes_30_seeds_each() {
    sweep("2D", 30);
}
