//! The seed sweep: many seeds of many tests over worker threads, one
//! simulation per worker at a time. Results are gathered per test and sorted
//! by seed, so what a sweep reports never depends on the number of workers or
//! on which worker ran which seed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sims::TestCase;
use tester::Options;

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    pub start: u64,
    pub seeds: u64,
    pub jobs: usize,
    pub bug: Option<&'static str>,
    /// Stop handing out work after the first failure.
    pub fail_fast: bool,
}

/// One failing seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    pub seed: u64,
    pub check: &'static str,
    pub reason: String,
}

/// What a sweep found for one test.
#[derive(Clone, Debug, Default)]
pub struct TestSummary {
    pub name: &'static str,
    pub passed: u64,
    pub failures: Vec<SeedFailure>,
    /// Sum over runs of virtual time, events, RPCs and bytes.
    pub virtual_time_us: u64,
    pub events: u64,
    pub rpcs: u64,
    pub bytes: u64,
    /// Wall time spent inside this test's runs, summed over workers (CPU-ish time).
    pub busy: Duration,
    /// Order-independent digest of (seed, trace hash) over the seeds run.
    pub digest: u64,
    /// Every seed's trace hash, sorted by seed (kept only when asked for).
    pub hashes: Vec<(u64, u64)>,
}

impl TestSummary {
    pub fn runs(&self) -> u64 {
        self.passed + self.failures.len() as u64
    }

    /// Seeds per second of one core's time.
    pub fn seeds_per_core_second(&self) -> f64 {
        self.runs() as f64 / self.busy.as_secs_f64().max(1e-9)
    }
}

/// Live counters, for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub failed: AtomicU64,
}

fn mix(seed: u64, hash: u64) -> u64 {
    let mut h = sim::TraceHash::default();
    h.add(seed);
    h.add(hash);
    h.value()
}

/// Runs `config.seeds` seeds of every case. `keep_hashes` keeps each seed's
/// trace hash (for determinism checks); otherwise memory stays flat.
pub fn sweep(
    cases: &[&'static TestCase],
    config: &SweepConfig,
    keep_hashes: bool,
    progress: &Progress,
) -> Vec<TestSummary> {
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let summaries: Vec<Mutex<TestSummary>> =
        cases.iter().map(|case| Mutex::new(TestSummary { name: case.name, ..TestSummary::default() })).collect();
    std::thread::scope(|scope| {
        for _ in 0..config.jobs.max(1) {
            scope.spawn(|| {
                let options = Options { bug: config.bug, ..Options::default() };
                sweep_worker(cases, config, keep_hashes, progress, &next, &stop, &summaries, &options)
            });
        }
    });
    summaries
        .into_iter()
        .map(|summary| {
            let mut summary = summary.into_inner().expect("workers are done");
            summary.failures.sort_by_key(|failure| failure.seed);
            summary.hashes.sort_unstable();
            summary
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn sweep_worker(
    cases: &[&'static TestCase],
    config: &SweepConfig,
    keep_hashes: bool,
    progress: &Progress,
    next: &AtomicU64,
    stop: &AtomicBool,
    summaries: &[Mutex<TestSummary>],
    options: &Options,
) {
    let total = cases.len() as u64 * config.seeds;
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let item = next.fetch_add(1, Ordering::Relaxed);
        if item >= total {
            break;
        }
        // Seeds of one test go out together, tests one after another.
        let (test, offset) = ((item / config.seeds) as usize, item % config.seeds);
        let seed = config.start + offset;
        #[allow(clippy::disallowed_methods)] // speed report only
        let began = Instant::now();
        let report = sims::run_test(cases[test], seed, options);
        let busy = began.elapsed();
        let mut summary = summaries[test].lock().expect("no worker panics while holding it");
        summary.busy += busy;
        summary.virtual_time_us += report.end_time.micros();
        summary.events += report.events;
        summary.rpcs += report.stats.rpcs;
        summary.bytes += report.stats.bytes;
        summary.digest = summary.digest.wrapping_add(mix(seed, report.trace_hash));
        if keep_hashes {
            summary.hashes.push((seed, report.trace_hash));
        }
        match report.outcome {
            Ok(()) => summary.passed += 1,
            Err(failure) => {
                summary.failures.push(SeedFailure { seed, check: failure.check, reason: failure.reason });
                progress.failed.fetch_add(1, Ordering::Relaxed);
                if config.fail_fast {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
        progress.done.fetch_add(1, Ordering::Relaxed);
    }
}
