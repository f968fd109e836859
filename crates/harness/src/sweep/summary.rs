//! What a sweep found for one test ([`TestSummary`]): counts, sums, a
//! bounded histogram, the failure groups and the first failures. Summaries
//! add up in any order (each worker sums its own and the sums are merged at
//! the end; `raftsim report` sums the JSON lines of many shards), so what a
//! sweep reports never depends on the number of workers or machines, and its
//! memory does not grow with the number of seeds.

use std::time::Duration;

use super::engine::SeedRun;
use super::groups::Groups;
use super::histogram::Histogram;

/// How many failing seeds per test a sweep keeps to list (the lowest positions).
pub const KEPT_FAILURES: usize = 100;

/// One failing seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    pub seed: u64,
    pub position: u64,
    pub check: tester::Check,
    pub reason: String,
    /// More lines about it (the determinism diff).
    pub detail: Vec<String>,
}

/// What a sweep found for one test.
#[derive(Clone, Debug, Default)]
pub struct TestSummary {
    pub name: &'static str,
    pub passed: u64,
    pub failed: u64,
    /// The first [`KEPT_FAILURES`] failures in run order.
    pub failures: Vec<SeedFailure>,
    /// Every failure, grouped by kind.
    pub groups: Groups,
    /// Virtual time per run, in ms.
    pub virtual_time_ms: Histogram,
    /// Sums over runs.
    pub events: u64,
    pub rpcs: u64,
    pub bytes: u64,
    /// Order-independent digest of (seed, trace hash) over the seeds run.
    pub digest: u64,
    /// Wall time spent in this test's runs, summed over workers (speed report
    /// only; none when read back from a file).
    pub busy: Option<Duration>,
    /// How often the runs reached each bug-prone situation.
    pub coverage: super::coverage::CoverageTally,
}

impl TestSummary {
    pub fn runs(&self) -> u64 {
        self.passed + self.failed
    }

    /// Counts one run; `wall` is how long it took (none when read back from a file).
    pub fn add(&mut self, run: &SeedRun, wall: Option<Duration>) {
        self.virtual_time_ms.add(run.virtual_time_us / 1000);
        self.events += run.events;
        self.rpcs += run.rpcs;
        self.bytes += run.bytes;
        self.digest = self.digest.wrapping_add(mix(run.seed, run.trace_hash));
        self.coverage.add(&run.coverage);
        if let Some(wall) = wall {
            self.busy = Some(self.busy.unwrap_or_default() + wall);
        }
        match &run.outcome {
            Ok(()) => self.passed += 1,
            Err(failure) => {
                self.failed += 1;
                self.groups.add(failure.check.name(), &failure.reason, run.seed);
                let failure = SeedFailure {
                    seed: run.seed,
                    position: run.position,
                    check: failure.check,
                    reason: failure.reason.clone(),
                    detail: run.detail.clone(),
                };
                self.keep_failures(std::iter::once(failure));
            }
        }
    }

    fn keep_failures(&mut self, more: impl Iterator<Item = SeedFailure>) {
        self.failures.extend(more);
        self.failures.sort_by_key(|failure| failure.position);
        self.failures.truncate(KEPT_FAILURES);
    }

    pub fn merge(&mut self, other: TestSummary) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.keep_failures(other.failures.into_iter());
        self.groups.merge(other.groups);
        self.virtual_time_ms.merge(&other.virtual_time_ms);
        self.events += other.events;
        self.rpcs += other.rpcs;
        self.bytes += other.bytes;
        self.digest = self.digest.wrapping_add(other.digest);
        self.coverage.merge(&other.coverage);
        self.busy = match (self.busy, other.busy) {
            (Some(a), Some(b)) => Some(a + b),
            (busy, None) | (None, busy) => busy,
        };
    }

    /// Runs per second of one worker's time in this test (the order in which
    /// runs are handed out does not change it).
    pub fn seeds_per_second(&self) -> Option<f64> {
        let busy = self.busy?;
        Some(self.runs() as f64 / busy.as_secs_f64().max(1e-6))
    }
}

fn mix(seed: u64, hash: u64) -> u64 {
    let mut h = sim::TraceHash::default();
    h.add(seed);
    h.add(hash);
    h.value()
}
