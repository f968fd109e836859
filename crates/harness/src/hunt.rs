//! `raftsim hunt`: every planted bug against the lab suite, to show what the
//! harness catches, with which test, at which seed, by which check.
//!
//! Seeds go round-robin over the tests (seed 0 of every test, then seed 1,
//! ...), so a bug that some test catches early costs few runs. Workers take
//! items in order and stop handing out items past the first failure found;
//! every earlier item still completes, so the reported catch is the earliest
//! in that order whatever the number of workers. A run that panics is a
//! catch (check `panic`); the first Ctrl-C stops handing out items.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sims::TestCase;

use crate::sweep::engine::run_seed;
use crate::sweep::Progress;

/// What a hunt found for one bug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunt {
    pub bug: &'static str,
    pub caught: Option<Catch>,
    /// Seeds per test searched before the catch (or in all, if not caught).
    pub seeds_searched: u64,
}

/// The earliest failing run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catch {
    pub test: &'static str,
    pub seed: u64,
    pub check: tester::Check,
    pub reason: String,
}

impl Catch {
    /// A lab check, or one of Raft's invariants (named with its paper section).
    pub fn kind(&self) -> &'static str {
        self.check.kind()
    }
}

/// [`hunt`] with its progress on stderr (runs per test, failures as they
/// happen, an ETA), so a long hunt is never silent.
/// `rafts` name the program and our core again in its replay lines.
pub fn hunt_showing_progress(
    bug: &'static str,
    cases: &[&'static TestCase],
    seeds: u64,
    jobs: usize,
    rafts: &crate::Rafts,
) -> Hunt {
    let names: Vec<&'static str> = cases.iter().map(|case| case.name).collect();
    let progress =
        Progress::new(&names, &vec![seeds; cases.len()], jobs, rafts.rerun_for(crate::rafts::CORE, Some(bug)));
    let total = seeds.saturating_mul(cases.len() as u64);
    crate::sweep::progress::while_showing(&progress, total, || hunt(bug, cases, seeds, jobs, &progress))
}

/// Hunts `bug` over `seeds` seeds of each case, on `jobs` workers, counting runs in `progress`.
pub fn hunt(bug: &'static str, cases: &[&'static TestCase], seeds: u64, jobs: usize, progress: &Progress) -> Hunt {
    let tests = cases.len() as u64;
    let total = tests.saturating_mul(seeds);
    let next = AtomicU64::new(0);
    // The earliest failing item so far (u64::MAX: none).
    let first = AtomicU64::new(u64::MAX);
    let found: Mutex<Option<(u64, Catch)>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                let options = crate::bugs::options(Some(bug));
                loop {
                    let item = next.fetch_add(1, Ordering::Relaxed);
                    if item >= total || item > first.load(Ordering::Relaxed) || crate::interrupt::requested().is_some()
                    {
                        break;
                    }
                    let (seed, test) = (item / tests, (item % tests) as usize);
                    let case = cases[test];
                    #[allow(clippy::disallowed_methods)] // wall clock for the progress ETA only
                    let began = std::time::Instant::now();
                    let run = run_seed(case, seed, seed, &options, false);
                    progress.record(test, &run, began.elapsed());
                    let Err(failure) = run.outcome else { continue };
                    first.fetch_min(item, Ordering::Relaxed);
                    let mut found = found.lock().expect("no worker panics holding it");
                    if found.as_ref().is_none_or(|(earliest, _)| item < *earliest) {
                        let catch = Catch { test: case.name, seed, check: failure.check, reason: failure.reason };
                        *found = Some((item, catch));
                    }
                }
            });
        }
    });
    match found.into_inner().expect("workers are done") {
        Some((item, catch)) => Hunt { bug, caught: Some(catch), seeds_searched: item / tests + 1 },
        None => Hunt { bug, caught: None, seeds_searched: seeds },
    }
}
