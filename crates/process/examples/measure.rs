//! Measures what a node behind the protocol costs: runs a pattern of lab
//! tests over seeds, in-process and through a command, and prints the wall
//! time per seed and per event (the wall clock is read for display only).
//!
//! `cargo run --release -p raftsim-process --example measure -- PATTERN SEEDS [CMD]`
//! (CMD defaults to the raftsim-node beside this example).

use std::sync::Arc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pattern = args.first().map_or("all", String::as_str);
    let seeds: u64 = args.get(1).and_then(|text| text.parse().ok()).unwrap_or(5);
    let command = args.get(2).cloned().unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("own path");
        exe.parent().and_then(|dir| dir.parent()).expect("target dir").join("raftsim-node").display().to_string()
    });
    let process = sims::rafts::process_factory(&command).unwrap_or_else(|e| panic!("{e}"));
    let variants: [(&str, tester::Options); 2] =
        [("in-process", sims::core_options()), ("process", tester::Options::new(Arc::clone(&process)))];
    let with_core = args.get(2).is_none();
    for (label, options) in variants.iter().filter(|(label, _)| with_core || *label == "process") {
        let (mut events, mut runs, mut failed) = (0u64, 0u64, 0u64);
        #[allow(clippy::disallowed_methods)]
        let started = Instant::now();
        for case in sims::matching(pattern) {
            for seed in 0..seeds {
                let report = sims::run_test(case, seed, options);
                events += report.events;
                runs += 1;
                failed += u64::from(!report.passed());
            }
        }
        let wall = started.elapsed();
        println!(
            "{label:>10}: {runs} runs ({failed} failed), {events} events, {:.2} s: {:.1} ms per seed, {:.2} µs per event",
            wall.as_secs_f64(),
            wall.as_secs_f64() * 1e3 / runs as f64,
            wall.as_secs_f64() * 1e6 / events as f64
        );
    }
}
