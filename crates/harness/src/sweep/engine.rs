//! The sweep engine: the runs of a [`WorkList`] handed out in order to worker
//! threads, one simulation per worker at a time. Each worker sums what it saw
//! per test ([`TestSummary`]) and the sums are merged at the end, so what a
//! sweep reports never depends on the number of workers or on which worker
//! ran which seed. Every run is also handed to an observer (the JSON-lines
//! writer) with its index in the work list. A run whose simulation panics is
//! a failure of that run (check `panic`), and the sweep goes on.
//!
//! Runs stop being handed out (every run already handed out still completes)
//! at the first failure with `--fail-fast`; past the first failure with
//! `--until-fail` (every earlier run still completes, so the failure found is
//! the first in order whatever the number of workers); when the `--time`
//! budget is spent; and on the first Ctrl-C or SIGTERM ([`crate::interrupt`]).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sims::TestCase;
use tester::{Check, Failure, Options};

use crate::Selection;

use super::partition::Partition;
pub use super::progress::Progress;
pub use super::summary::{SeedFailure, TestSummary, KEPT_FAILURES};
pub use super::work::{WorkItem, WorkList};

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    pub start: u64,
    pub seeds: u64,
    pub jobs: usize,
    /// The Raft under test (our core by default), shared by every worker.
    pub raft: Selection,
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
    /// Stop handing out runs after this much wall-clock time (`--time`); the
    /// runs go round-robin over the tests, so every test gets its share, and
    /// the first round (one seed of every test) is handed out whatever the budget.
    /// It decides only how many runs are made, never what a run does.
    pub time_budget: Option<Duration>,
    /// How message latencies are drawn (`--network`).
    pub network: tester::Profile,
    /// Print the schedule-coverage table (`--coverage`).
    pub coverage: bool,
}

impl Default for SweepConfig {
    fn default() -> SweepConfig {
        SweepConfig {
            start: 0,
            seeds: 1,
            jobs: 1,
            raft: Selection::core(),
            fail_fast: false,
            check_determinism: false,
            partition: None,
            no_invariants: false,
            until_fail: false,
            time_budget: None,
            network: tester::Profile::default(),
            coverage: false,
        }
    }
}

/// What one seed did.
#[derive(Clone, Debug)]
pub struct SeedRun {
    pub test: &'static str,
    pub seed: u64,
    pub position: u64,
    pub outcome: Result<(), RunFailure>,
    pub virtual_time_us: u64,
    pub events: u64,
    pub rpcs: u64,
    pub bytes: u64,
    pub trace_hash: u64,
    /// More lines about the failure (the determinism diff).
    pub detail: Vec<String>,
    pub coverage: tester::Coverage,
}

/// Why one run failed, as a sweep keeps it: the check's name and the prose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFailure {
    pub check: Check,
    pub reason: String,
}

impl RunFailure {
    /// The one place a sweep reads the tester's failure.
    pub fn from_tester(failure: &Failure) -> RunFailure {
        RunFailure { check: failure.check, reason: failure.reason.clone() }
    }

    fn new(check: Check, reason: String) -> RunFailure {
        RunFailure { check, reason }
    }
}

/// The message a panic carried.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    let message = match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(text), _) => (*text).to_string(),
        (None, Some(text)) => text.clone(),
        (None, None) => "(a panic without a message)".to_string(),
    };
    message.replace(['\n', '\r'], " ")
}

/// Runs one seed (twice, when checking determinism). A panic inside the run
/// (the Raft under test, or the tester) is that run's failure, not the sweep's.
pub fn run_seed(case: &TestCase, seed: u64, position: u64, options: &Options, twice: bool) -> SeedRun {
    let attempt = |options: &Options| panic::catch_unwind(AssertUnwindSafe(|| sims::run_test(case, seed, options)));
    let report = match attempt(options) {
        Ok(report) => report,
        Err(payload) => return panicked(case, seed, position, &*payload),
    };
    let mut outcome = report.outcome.as_ref().map_err(RunFailure::from_tester).copied();
    let mut detail = Vec::new();
    if twice {
        let again = match attempt(options) {
            Ok(again) => again,
            Err(payload) => return panicked(case, seed, position, &*payload),
        };
        if again.trace_hash != report.trace_hash || again.events != report.events || again.outcome != report.outcome {
            outcome = Err(RunFailure::new(
                Check::Determinism,
                format!(
                    "two runs of one seed differ: trace {:016x} then {:016x}, events {} then {}",
                    report.trace_hash, again.trace_hash, report.events, again.events
                ),
            ));
            detail = panic::catch_unwind(AssertUnwindSafe(|| crate::replay::diff::explain(case, seed, options)))
                .unwrap_or_default();
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

/// The run of a seed whose simulation panicked: a failure with the panic's message.
fn panicked(case: &TestCase, seed: u64, position: u64, payload: &(dyn Any + Send)) -> SeedRun {
    let reason = format!("the run panicked: {}", panic_message(payload));
    SeedRun {
        test: case.name,
        seed,
        position,
        outcome: Err(RunFailure::new(Check::NodePanic, reason)),
        virtual_time_us: 0,
        events: 0,
        rpcs: 0,
        bytes: 0,
        trace_hash: 0,
        detail: Vec::new(),
        coverage: tester::Coverage::default(),
    }
}

/// What a sweep found: one summary per test, in the order given, whether a
/// stop (`--fail-fast`, `--until-fail`, an interrupt) came before every run
/// was made, whether the `--time` budget ran out, and the signal if any.
pub struct Outcome {
    pub summaries: Vec<TestSummary>,
    pub stopped_early: bool,
    pub out_of_time: bool,
    /// The signal (2 SIGINT, 15 SIGTERM) that stopped the sweep.
    pub interrupted: Option<i32>,
    /// The failing run with the lowest index: (test, seed).
    pub first_failure: Option<(usize, u64)>,
}

struct Shared<'a> {
    work: &'a WorkList,
    config: &'a SweepConfig,
    progress: &'a Progress,
    observer: &'a (dyn Fn(u64, &SeedRun) + Sync),
    next: AtomicU64,
    /// Hand out no more runs (fail-fast, the time budget is spent, a signal).
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
        // A worker catches every run's panic; one that still dies loses only its own sums.
        workers.into_iter().filter_map(|worker| worker.join().ok()).collect()
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
    let interrupted = crate::interrupt::requested();
    let first_failure =
        shared.first_failure.lock().unwrap_or_else(|poison| poison.into_inner()).map(|(_, test, seed)| (test, seed));
    Outcome { summaries, stopped_early, out_of_time, interrupted, first_failure }
}

/// Whether to hand out another run: not after a stop, a spent budget or a signal.
fn may_go_on(shared: &Shared<'_>) -> bool {
    if shared.stop.load(Ordering::Relaxed) {
        return false;
    }
    if crate::interrupt::requested().is_some() {
        shared.stop.store(true, Ordering::Relaxed);
        return false;
    }
    // Round-robin: the first round (one seed of every test) is always handed out.
    let first_round = shared.next.load(Ordering::Relaxed) < shared.work.tests() as u64;
    if let (Some(deadline), false) = (shared.deadline, first_round) {
        #[allow(clippy::disallowed_methods)] // --time: how many runs, never what a run does
        if Instant::now() >= deadline {
            shared.out_of_time.store(true, Ordering::Relaxed);
            shared.stop.store(true, Ordering::Relaxed);
            return false;
        }
    }
    true
}

fn worker(shared: &Shared<'_>) -> Vec<TestSummary> {
    let options = Options {
        check_invariants: !shared.config.no_invariants,
        network: shared.config.network,
        ..shared.config.raft.options()
    };
    let mut local: Vec<TestSummary> = (0..shared.work.tests()).map(|_| TestSummary::default()).collect();
    while may_go_on(shared) {
        let index = shared.work.index_at_turn(shared.next.fetch_add(1, Ordering::Relaxed));
        if index >= shared.work.len() || index > shared.stop_after.load(Ordering::Relaxed) {
            break;
        }
        let Some(item) = shared.work.item(index) else { continue };
        #[allow(clippy::disallowed_methods)] // wall clock for the speed column and the ETA only
        let began = Instant::now();
        let run =
            run_seed(shared.work.case(item.test), item.seed, item.position, &options, shared.config.check_determinism);
        #[allow(clippy::disallowed_methods)] // wall clock for the speed column and the ETA only
        let ended = Instant::now();
        local[item.test].add(&run, Some(ended - began));
        (shared.observer)(index, &run);
        if run.outcome.is_err() {
            let mut first = shared.first_failure.lock().unwrap_or_else(|poison| poison.into_inner());
            if first.is_none_or(|(earliest, _, _)| index < earliest) {
                *first = Some((index, item.test, item.seed));
            }
            if shared.config.until_fail {
                shared.stop_after.fetch_min(index, Ordering::Relaxed);
            } else if shared.config.fail_fast {
                shared.stop.store(true, Ordering::Relaxed);
            }
        }
        shared.progress.record(item.test, &run, ended - began);
    }
    local
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::regressions::Regressions;

    fn config(seeds: u64, partition: Option<&str>) -> SweepConfig {
        SweepConfig {
            start: 10,
            seeds,
            partition: partition.map(|spec| spec.parse().unwrap()),
            ..SweepConfig::default()
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
        let work = WorkList::new(&cases, &regressions, &config(3, None)).unwrap();
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
        let all = items(&WorkList::new(&cases, &Regressions::default(), &config(100, None)).unwrap());
        for kind in ["hash", "slice"] {
            let mut union = Vec::new();
            for shard in 1..=3 {
                let spec = format!("{kind}:{shard}/3");
                union
                    .extend(items(&WorkList::new(&cases, &Regressions::default(), &config(100, Some(&spec))).unwrap()));
            }
            union.sort_unstable();
            assert_eq!(union, all, "{kind}: the shards' union is the sweep, without overlap");
        }
    }

    #[test]
    fn summaries_merge_to_the_same_whatever_the_split() {
        let cases = sims::matching("InitialElection2A");
        let work = WorkList::new(&cases, &Regressions::default(), &config(30, None)).unwrap();
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
    fn every_test_is_handed_out_once_first_then_the_rest_in_order() {
        let cases = sims::matching("InitialElection2A,ReElection2A,ManyElections2A");
        let work = WorkList::new(&cases, &Regressions::default(), &config(3, None)).unwrap();
        let turns: Vec<u64> = (0..work.len() + 2).map(|turn| work.index_at_turn(turn)).collect();
        assert_eq!(turns, vec![0, 3, 6, 1, 2, 4, 5, 7, 8, 9, 10]);
        let interleaved =
            WorkList::new(&cases, &Regressions::default(), &SweepConfig { until_fail: true, ..config(3, None) })
                .unwrap();
        assert_eq!((0..9).map(|turn| interleaved.index_at_turn(turn)).collect::<Vec<_>>(), (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn until_fail_goes_round_robin_over_the_tests() {
        let cases = sims::matching("InitialElection2A,ReElection2A");
        let config = SweepConfig { until_fail: true, ..config(2, None) };
        let work = WorkList::new(&cases, &Regressions::default(), &config).unwrap();
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
                raft: crate::Selection::core_with(Some("no-step-down-on-reply")).expect("a planted bug of this build"),
                ..config(50, None)
            };
            let work = WorkList::new(&cases, &Regressions::default(), &config).unwrap();
            let outcome = sweep(&work, &config, &Progress::default(), &|_, _| {});
            assert!(outcome.stopped_early);
            outcome.first_failure
        };
        let first = run(1);
        assert!(first.is_some());
        assert_eq!(first, run(4));
    }
}
