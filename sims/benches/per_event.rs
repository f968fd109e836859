//! Per-event cost, side by side in one run (issue 16's targets):
//! - InitialElection2A per simulated event, invariants on and off, against
//!   the bare floor: a (time, seq) binary heap holding 1,000 pending events
//!   with one ChaCha8 draw per event (target: at most 3x the floor);
//! - the invariants' cost over the whole lab suite: the same seeds of all 28
//!   tests with `check_invariants` true and false (target: at most 10%).
//!
//! Throughput is in events (elements) per second: ns per event = 1e9 / thrpt.
//! The invariants only read, so both sides of each pair run the same events
//! (asserted through the trace hash before measuring).

// The raftsim binary's allocator, so the figures are what a sweep costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../../crates/sim/benches/bare_loop.rs"]
mod bare_loop;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tester::Options;

/// Events the bare loop keeps pending.
const PENDING: u64 = 1_000;
/// Seeds of InitialElection2A per iteration (the same seeds every iteration).
const SEEDS: std::ops::Range<u64> = 1..21;

/// Runs `seeds` of `case`; returns (events, combined trace hash).
fn run_seeds(case: &sims::TestCase, seeds: std::ops::Range<u64>, options: &Options) -> (u64, u64) {
    seeds.fold((0, 0), |(events, hash), seed| {
        let report = sims::run_test(case, seed, options);
        (events + report.events, hash ^ report.trace_hash.rotate_left(seed as u32))
    })
}

fn on_and_off() -> (Options, Options) {
    let on = sims::core_options();
    let off = Options { check_invariants: false, ..sims::core_options() };
    assert!(on.check_invariants);
    (on, off)
}

fn per_event(c: &mut Criterion) {
    let (on, off) = on_and_off();
    let case = sims::find("InitialElection2A").expect("registered");
    let (events, hash) = run_seeds(case, SEEDS, &on);
    assert_eq!(run_seeds(case, SEEDS, &off), (events, hash), "the invariants changed a run");
    let mut group = c.benchmark_group("per_event");
    group.throughput(Throughput::Elements(events));
    group.bench_function("bare_heap_chacha8_1000_pending", |b| {
        b.iter(|| black_box(bare_loop::bare_heap_and_rng(PENDING, events)))
    });
    group.bench_function("InitialElection2A_invariants_on", |b| b.iter(|| black_box(run_seeds(case, SEEDS, &on))));
    group.bench_function("InitialElection2A_invariants_off", |b| b.iter(|| black_box(run_seeds(case, SEEDS, &off))));
    group.finish();
}

fn suite(options: &Options, seed: u64) -> (u64, u64) {
    sims::TESTS.iter().map(|case| run_seeds(case, seed..seed + 1, options)).fold((0, 0), |a, b| (a.0 + b.0, a.1 ^ b.1))
}

fn invariants(c: &mut Criterion) {
    let (on, off) = on_and_off();
    const SEED: u64 = 3;
    let (events, hash) = suite(&on, SEED);
    assert_eq!(suite(&off, SEED), (events, hash), "the invariants changed a run");
    let mut group = c.benchmark_group("invariants_suite");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("all_28_tests_on", |b| b.iter(|| black_box(suite(&on, SEED))));
    group.bench_function("all_28_tests_off", |b| b.iter(|| black_box(suite(&off, SEED))));
    group.finish();
}

criterion_group!(benches, per_event, invariants);
criterion_main!(benches);
