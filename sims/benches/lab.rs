//! Whole-stack speed: one seed of each 2A test, and one seed of the whole
//! lab suite (all 28 tests), in release with invariants on and tracing off.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tester::Options;

fn lab(c: &mut Criterion) {
    let options = Options::default();
    let mut group = c.benchmark_group("seed");
    for name in ["InitialElection2A", "ReElection2A", "ManyElections2A"] {
        let case = sims::find(name).expect("registered");
        let mut seed = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                black_box(sims::run_test(case, seed, &options).trace_hash)
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("suite");
    group.sample_size(10);
    let mut seed = 0;
    group.bench_function("all_28_tests_one_seed", |b| {
        b.iter(|| {
            seed += 1;
            let hashes: u64 = sims::TESTS.iter().map(|case| sims::run_test(case, seed, &options).trace_hash).sum();
            black_box(hashes)
        })
    });
    group.finish();
}

criterion_group!(benches, lab);
criterion_main!(benches);
