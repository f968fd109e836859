//! The sweep engine: the runs to make ([`WorkList`]: per test, its regression
//! seeds first, then the seed range, less what the partition leaves to other
//! shards), handed out in order to worker threads, one simulation per worker
//! at a time. Each worker sums what it saw per test ([`TestSummary`]: counts,
//! sums, a bounded histogram, the first failures) and the sums are merged at
//! the end, so what a sweep reports never depends on the number of workers
//! or on which worker ran which seed, and its memory does not grow with the
//! number of seeds. Every run is also handed to an observer (the JSON-lines
//! writer) with its index in the work list. With `--until-fail` the work goes
//! round-robin over the tests and stops at the first failure (every earlier
//! run still completes); `--time` stops handing out runs when the wall-clock
//! budget is spent.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sims::TestCase;
use tester::{Failure, Options};

use super::groups::Groups;
use super::histogram::Histogram;
use super::partition::Partition;
use super::regressions::Regressions;

/// How many failing seeds per test a sweep keeps to list (the lowest positions).
pub const KEPT_FAILURES: usize = 100;

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    pub start: u64,
    pub seeds: u64,
    pub jobs: usize,
    pub bug: Option<&'static str>,
    /// Stop handing out work after the first failure.
    pub fail_fast: bool,
    /// Run every seed twice; a seed whose two runs differ fails.
    pub check_determinism: bool,
    pub partition: Option<Partition>,
    /// Skip Raft's invariants (the lab's checks and the liveness phase still run).
    pub no_invariants: bool,
    /// Go round-robin over the tests (seed 0 of each, then seed 1, ...) and
    /// stop at the first failure: every earlier run still completes, so the
    /// failure found is the first in that order whatever the number of workers.
    pub until_fail: bool,
    /// Stop handing out runs after this much wall-clock time (`--time`).
    /// It decides only how many runs are made, never what a run does.
    pub time_budget: Option<Duration>,
    /// How message latencies are drawn (`--network`).
    pub network: tester::Profile,
    /// Print the schedule-coverage table (`--coverage`).
    pub coverage: bool,
}

/// One test's runs.
struct TestWork {
    case: &'static TestCase,
    /// Regression seeds, in file order.
    regressions: Vec<u64>,
    /// The same, sorted, to skip them in the range.
    sorted: Vec<u64>,
}

/// One run to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkItem {
    pub test: usize,
    pub seed: u64,
    /// Where the seed stands in its test's run order (regression seeds first).
    pub position: u64,
}

/// Every run of a sweep, numbered: test by test, regression seeds then the range.
pub struct WorkList {
    tests: Vec<TestWork>,
    /// The first index of each test, and the total at the end.
    offsets: Vec<u64>,
    start: u64,
    partition: Option<Partition>,
    /// Round-robin over the tests instead of test by test.
    interleave: bool,
    /// The longest test's run count (for the round-robin order).
    longest: u64,
}

impl WorkList {
    pub fn new(cases: &[&'static TestCase], regressions: &Regressions, config: &SweepConfig) -> WorkList {
        let mut tests = Vec::new();
        let mut offsets = vec![0];
        for case in cases {
            let listed = regressions.seeds_for(case.name);
            let mut sorted = listed.clone();
            sorted.sort_unstable();
            offsets.push(offsets.last().copied().unwrap_or(0) + listed.len() as u64 + config.seeds);
            tests.push(TestWork { case, regressions: listed, sorted });
        }
        let longest = tests.iter().map(|work| work.regressions.len() as u64 + config.seeds).max().unwrap_or(0);
        WorkList {
            tests,
            offsets,
            start: config.start,
            partition: config.partition,
            interleave: config.until_fail,
            longest,
        }
    }

    /// How many indexes there are (some of which may be skipped).
    pub fn len(&self) -> u64 {
        if self.interleave {
            return self.longest.saturating_mul(self.tests.len() as u64);
        }
        *self.offsets.last().expect("offsets start with 0")
    }

    /// The test and position of `index`, in either order.
    fn locate(&self, index: u64) -> Option<(usize, u64)> {
        if self.interleave {
            let tests = self.tests.len() as u64;
            let (test, position) = ((index % tests) as usize, index / tests);
            let runs = self.offsets[test + 1] - self.offsets[test];
            return (position < runs).then_some((test, position));
        }
        let test = self.offsets.partition_point(|offset| *offset <= index).checked_sub(1)?;
        (test < self.tests.len()).then(|| (test, index - self.offsets[test]))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn case(&self, test: usize) -> &'static TestCase {
        self.tests[test].case
    }

    pub fn tests(&self) -> usize {
        self.tests.len()
    }

    /// The run at `index`, or `None` when this shard skips it (or it repeats a regression seed).
    pub fn item(&self, index: u64) -> Option<WorkItem> {
        let (test, position) = self.locate(index)?;
        let work = &self.tests[test];
        let seed = match work.regressions.get(position as usize) {
            Some(seed) => *seed,
            None => {
                let seed = self.start + (position - work.regressions.len() as u64);
                if work.sorted.binary_search(&seed).is_ok() {
                    return None;
                }
                seed
            }
        };
        let included = self.partition.is_none_or(|partition| partition.includes(work.case.name, seed, position));
        included.then_some(WorkItem { test, seed, position })
    }

    /// How many runs this shard makes, and how many of them are regression seeds.
    pub fn planned(&self) -> (u64, u64) {
        if self.partition.is_none() {
            // Every position runs but a range seed that repeats a regression seed.
            let regressions: u64 = self.tests.iter().map(|work| work.regressions.len() as u64).sum();
            let range: u64 = (0..self.tests.len()).map(|test| self.range_runs(test)).sum();
            return (regressions + range, regressions);
        }
        let (mut runs, mut regressions) = (0, 0);
        for index in 0..self.len() {
            if let Some(item) = self.item(index) {
                runs += 1;
                if item.position < self.tests[item.test].regressions.len() as u64 {
                    regressions += 1;
                }
            }
        }
        (runs, regressions)
    }
}

impl WorkList {
    /// The range seeds test `test` runs: the range, less the regression seeds in it.
    fn range_runs(&self, test: usize) -> u64 {
        let work = &self.tests[test];
        let seeds = self.offsets[test + 1] - self.offsets[test] - work.regressions.len() as u64;
        let end = self.start.saturating_add(seeds);
        let mut in_range: Vec<u64> =
            work.sorted.iter().copied().filter(|seed| (self.start..end).contains(seed)).collect();
        in_range.dedup();
        let repeated = in_range.len() as u64;
        seeds - repeated
    }
}

/// What one seed did.
#[derive(Clone, Debug)]
pub struct SeedRun {
    pub test: &'static str,
    pub seed: u64,
    pub position: u64,
    pub outcome: Result<(), Failure>,
    pub virtual_time_us: u64,
    pub events: u64,
    pub rpcs: u64,
    pub bytes: u64,
    pub trace_hash: u64,
    /// More lines about the failure (the determinism diff).
    pub detail: Vec<String>,
    pub coverage: tester::Coverage,
}

/// Runs one seed (twice, when checking determinism).
pub fn run_seed(case: &TestCase, seed: u64, position: u64, options: &Options, twice: bool) -> SeedRun {
    let report = sims::run_test(case, seed, options);
    let mut outcome = report.outcome.clone();
    let mut detail = Vec::new();
    if twice {
        let again = sims::run_test(case, seed, options);
        if again.trace_hash != report.trace_hash || again.events != report.events || again.outcome != report.outcome {
            outcome = Err(Failure::new(
                tester::Check::Determinism,
                format!(
                    "two runs of one seed differ: trace {:016x} then {:016x}, events {} then {}",
                    report.trace_hash, again.trace_hash, report.events, again.events
                ),
            ));
            detail = crate::replay::diff::explain(case, seed, options);
        }
    }
    SeedRun {
        test: case.name,
        seed,
        position,
        outcome,
        virtual_time_us: report.end_time.micros(),
        events: report.events,
        rpcs: report.stats.rpcs,
        bytes: report.stats.bytes,
        trace_hash: report.trace_hash,
        detail,
        coverage: report.coverage,
    }
}

/// One failing seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    pub seed: u64,
    pub position: u64,
    pub check: &'static str,
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
    /// Wall time from the first run's start to the last run's end (speed report only).
    pub wall: Option<(Instant, Instant)>,
    pub coverage: super::coverage::CoverageTally,
}

impl TestSummary {
    pub fn runs(&self) -> u64 {
        self.passed + self.failed
    }

    fn add(&mut self, run: &SeedRun, began: Instant, ended: Instant) {
        self.virtual_time_ms.add(run.virtual_time_us / 1000);
        self.events += run.events;
        self.rpcs += run.rpcs;
        self.bytes += run.bytes;
        self.coverage.add(&run.coverage);
        self.digest = self.digest.wrapping_add(mix(run.seed, run.trace_hash));
        self.wall = Some(self.wall.map_or((began, ended), |(first, last)| (first.min(began), last.max(ended))));
        match &run.outcome {
            Ok(()) => self.passed += 1,
            Err(failure) => {
                self.failed += 1;
                self.groups.add(failure.check.name(), &failure.reason, run.seed);
                let failure = SeedFailure {
                    seed: run.seed,
                    position: run.position,
                    check: failure.check.name(),
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

    fn merge(&mut self, other: TestSummary) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.keep_failures(other.failures.into_iter());
        self.groups.merge(other.groups);
        self.virtual_time_ms.merge(&other.virtual_time_ms);
        self.events += other.events;
        self.rpcs += other.rpcs;
        self.bytes += other.bytes;
        self.coverage.merge(&other.coverage);
        self.digest = self.digest.wrapping_add(other.digest);
        self.wall = match (self.wall, other.wall) {
            (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
            (wall, None) | (None, wall) => wall,
        };
    }

    /// Runs per wall-clock second while this test ran.
    pub fn seeds_per_second(&self) -> Option<f64> {
        let (first, last) = self.wall?;
        Some(self.runs() as f64 / (last - first).as_secs_f64().max(1e-6))
    }
}

fn mix(seed: u64, hash: u64) -> u64 {
    let mut h = sim::TraceHash::default();
    h.add(seed);
    h.add(hash);
    h.value()
}

/// Live counters, for the progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub failed: AtomicU64,
}

/// What a sweep found: one summary per test, in the order given, whether
/// `--fail-fast` or `--until-fail` stopped it before every run was made, and
/// whether the `--time` budget ran out.
pub struct Outcome {
    pub summaries: Vec<TestSummary>,
    pub stopped_early: bool,
    pub out_of_time: bool,
    /// The failing run with the lowest index: (test, seed).
    pub first_failure: Option<(usize, u64)>,
}

struct Shared<'a> {
    work: &'a WorkList,
    config: &'a SweepConfig,
    progress: &'a Progress,
    observer: &'a (dyn Fn(u64, &SeedRun) + Sync),
    next: AtomicU64,
    /// Hand out no more runs (fail-fast, or the time budget is spent).
    stop: AtomicBool,
    out_of_time: AtomicBool,
    /// With `--until-fail`: hand out no index past this one (the first failure so far).
    stop_after: AtomicU64,
    first_failure: Mutex<Option<(u64, usize, u64)>>,
    /// When the `--time` budget ends.
    deadline: Option<Instant>,
}

/// Makes every run of `work` on `config.jobs` workers. `observer` sees each
/// run with its index, in whatever order the runs finish.
pub fn sweep(
    work: &WorkList,
    config: &SweepConfig,
    progress: &Progress,
    observer: &(dyn Fn(u64, &SeedRun) + Sync),
) -> Outcome {
    // The one wall-clock decision: how many runs to hand out, never what a run does.
    #[allow(clippy::disallowed_methods)]
    let deadline = config.time_budget.map(|budget| Instant::now() + budget);
    let shared = Shared {
        work,
        config,
        progress,
        observer,
        next: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        out_of_time: AtomicBool::new(false),
        stop_after: AtomicU64::new(u64::MAX),
        first_failure: Mutex::new(None),
        deadline,
    };
    let per_worker: Vec<Vec<TestSummary>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..config.jobs.max(1)).map(|_| scope.spawn(|| worker(&shared))).collect();
        workers.into_iter().map(|worker| worker.join().expect("a sweep worker does not panic")).collect()
    });
    let mut summaries: Vec<TestSummary> =
        (0..work.tests()).map(|test| TestSummary { name: work.case(test).name, ..TestSummary::default() }).collect();
    for local in per_worker {
        for (summary, part) in summaries.iter_mut().zip(local) {
            summary.merge(part);
        }
    }
    let handed_out = shared.next.load(Ordering::Relaxed);
    let stopped = shared.stop.load(Ordering::Relaxed) || shared.stop_after.load(Ordering::Relaxed) != u64::MAX;
    let stopped_early = stopped && handed_out < work.len();
    let out_of_time = shared.out_of_time.load(Ordering::Relaxed);
    let first_failure =
        shared.first_failure.into_inner().expect("workers are done").map(|(_, test, seed)| (test, seed));
    Outcome { summaries, stopped_early, out_of_time, first_failure }
}

fn worker(shared: &Shared<'_>) -> Vec<TestSummary> {
    let options = Options {
        check_invariants: !shared.config.no_invariants,
        ..crate::network::options(shared.config.bug, shared.config.network)
    };
    let mut local: Vec<TestSummary> = (0..shared.work.tests()).map(|_| TestSummary::default()).collect();
    while !shared.stop.load(Ordering::Relaxed) {
        if let Some(deadline) = shared.deadline {
            #[allow(clippy::disallowed_methods)] // --time: how many runs, never what a run does
            if Instant::now() >= deadline {
                shared.out_of_time.store(true, Ordering::Relaxed);
                shared.stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        if index >= shared.work.len() || index > shared.stop_after.load(Ordering::Relaxed) {
            break;
        }
        let Some(item) = shared.work.item(index) else { continue };
        #[allow(clippy::disallowed_methods)] // wall clock for the speed column only
        let began = Instant::now();
        let run =
            run_seed(shared.work.case(item.test), item.seed, item.position, &options, shared.config.check_determinism);
        #[allow(clippy::disallowed_methods)] // wall clock for the speed column only
        let ended = Instant::now();
        local[item.test].add(&run, began, ended);
        (shared.observer)(index, &run);
        if run.outcome.is_err() {
            shared.progress.failed.fetch_add(1, Ordering::Relaxed);
            let mut first = shared.first_failure.lock().expect("no worker panics holding it");
            if first.is_none_or(|(earliest, _, _)| index < earliest) {
                *first = Some((index, item.test, item.seed));
            }
            if shared.config.until_fail {
                shared.stop_after.fetch_min(index, Ordering::Relaxed);
            } else if shared.config.fail_fast {
                shared.stop.store(true, Ordering::Relaxed);
            }
        }
        shared.progress.done.fetch_add(1, Ordering::Relaxed);
    }
    local
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(seeds: u64, partition: Option<&str>) -> SweepConfig {
        SweepConfig {
            start: 10,
            seeds,
            jobs: 1,
            bug: None,
            fail_fast: false,
            check_determinism: false,
            partition: partition.map(|spec| spec.parse().unwrap()),
            no_invariants: false,
            until_fail: false,
            time_budget: None,
            network: tester::Profile::default(),
            coverage: false,
        }
    }

    fn items(work: &WorkList) -> Vec<(usize, u64, u64)> {
        (0..work.len()).filter_map(|i| work.item(i)).map(|item| (item.test, item.seed, item.position)).collect()
    }

    #[test]
    fn regression_seeds_run_first_and_once() {
        let dir = std::env::temp_dir().join(format!("raftsim-engine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("regressions.txt");
        std::fs::write(&path, "ReElection2A 12\nReElection2A 99\nBasicAgree2B 1\n").unwrap();
        let regressions = Regressions::load(&path, true).unwrap();
        let cases = sims::matching("InitialElection2A,ReElection2A");
        let work = WorkList::new(&cases, &regressions, &config(3, None));
        assert_eq!(
            items(&work),
            vec![(0, 10, 0), (0, 11, 1), (0, 12, 2), (1, 12, 0), (1, 99, 1), (1, 10, 2), (1, 11, 3)]
        );
        assert_eq!(work.planned(), (7, 2));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn shards_split_the_work_list_exactly() {
        let cases = sims::matching("2A");
        let all = items(&WorkList::new(&cases, &Regressions::default(), &config(100, None)));
        for kind in ["hash", "slice"] {
            let mut union = Vec::new();
            for shard in 1..=3 {
                let spec = format!("{kind}:{shard}/3");
                union.extend(items(&WorkList::new(&cases, &Regressions::default(), &config(100, Some(&spec)))));
            }
            union.sort_unstable();
            assert_eq!(union, all, "{kind}: the shards' union is the sweep, without overlap");
        }
    }

    #[test]
    fn summaries_merge_to_the_same_whatever_the_split() {
        let cases = sims::matching("InitialElection2A");
        let work = WorkList::new(&cases, &Regressions::default(), &config(30, None));
        let run = |jobs| {
            let config = SweepConfig { jobs, ..config(30, None) };
            let outcome = sweep(&work, &config, &Progress::default(), &|_, _| {});
            let summary = &outcome.summaries[0];
            (summary.passed, summary.failed, summary.digest, summary.rpcs, summary.virtual_time_ms.clone())
        };
        assert_eq!(run(1), run(3));
        assert_eq!(run(1).0, 30);
    }

    #[test]
    fn until_fail_goes_round_robin_over_the_tests() {
        let cases = sims::matching("InitialElection2A,ReElection2A");
        let config = SweepConfig { until_fail: true, ..config(2, None) };
        let work = WorkList::new(&cases, &Regressions::default(), &config);
        assert_eq!(items(&work), vec![(0, 10, 0), (1, 10, 0), (0, 11, 1), (1, 11, 1)]);
        assert_eq!(work.planned(), (4, 0));
    }

    #[cfg(feature = "planted-bugs")]
    #[test]
    fn until_fail_finds_the_same_first_failure_on_any_number_of_workers() {
        let cases = sims::matching("2A");
        let run = |jobs| {
            let config = SweepConfig {
                jobs,
                start: 0,
                until_fail: true,
                bug: Some("no-step-down-on-reply"),
                ..config(50, None)
            };
            let work = WorkList::new(&cases, &Regressions::default(), &config);
            let outcome = sweep(&work, &config, &Progress::default(), &|_, _| {});
            assert!(outcome.stopped_early);
            outcome.first_failure
        };
        let first = run(1);
        assert!(first.is_some());
        assert_eq!(first, run(4));
    }
}
