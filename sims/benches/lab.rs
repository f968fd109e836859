//! Whole-stack speed: one seed of each 2A test, and one seed of the whole
//! lab suite (all 28 tests), in release with invariants on and tracing off.

// The raftsim binary's allocator, so the figures are what a sweep costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

fn lab(c: &mut Criterion) {
    let options = sims::core_options();
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

    // Tracing compiled in but disabled: a subscriber is installed whose level
    // (INFO) leaves out raftsim's DEBUG events, against no subscriber at all.
    let mut group = c.benchmark_group("tracing");
    let case = sims::find("ManyElections2A").expect("registered");
    group.bench_function("no_subscriber", |b| b.iter(|| black_box(sims::run_test(case, 7, &options).trace_hash)));
    let quiet = tracing_subscriber::fmt().with_max_level(tracing::Level::INFO).finish();
    tracing::subscriber::with_default(quiet, || {
        group.bench_function("subscriber_at_info", |b| {
            b.iter(|| black_box(sims::run_test(case, 7, &options).trace_hash))
        });
    });
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
