//! The event loop's cost per event: the bare floor (a (time, seq) binary heap
//! with one ChaCha8 draw per event; 64 and 1,000 pending) and the same work
//! through `Sim::run`.

mod bare_loop;

use std::hint::black_box;
use std::ops::ControlFlow;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sim::{Rng, Sim, Time};

const EVENTS: u64 = 100_000;
/// Events kept in flight, about what a 5-server run holds.
const IN_FLIGHT: u64 = 64;

fn sim_run() -> u64 {
    let sim: Sim<u64> = Sim::new();
    let mut rng = Rng::new(1, 0);
    for id in 0..IN_FLIGHT {
        sim.schedule(Time::from_micros(rng.below(1000)), id);
    }
    let handler_sim = sim.clone();
    let mut scheduled = IN_FLIGHT;
    let _ = sim.run(
        futures::future::pending::<()>(),
        |id| {
            if scheduled < EVENTS {
                handler_sim.schedule(handler_sim.now().plus_us(rng.below(1000)), id);
                scheduled += 1;
            }
            ControlFlow::Continue(())
        },
        || false,
        Time::from_secs(u64::MAX / 2_000_000),
        u64::MAX,
    );
    sim.events()
}

fn event_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_loop");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("bare_heap_plus_chacha8", |b| {
        b.iter(|| black_box(bare_loop::bare_heap_and_rng(IN_FLIGHT, EVENTS)))
    });
    group.bench_function("bare_heap_plus_chacha8_1000_pending", |b| {
        b.iter(|| black_box(bare_loop::bare_heap_and_rng(1_000, EVENTS)))
    });
    group.bench_function("sim_run", |b| b.iter_batched(|| (), |()| black_box(sim_run()), BatchSize::SmallInput));
    group.finish();
}

criterion_group!(benches, event_loop);
criterion_main!(benches);
