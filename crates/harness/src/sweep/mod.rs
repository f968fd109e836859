//! `raftsim sweep`: many seeds of many tests, in parallel, with a progress
//! display, an end table, the failing seeds and how to replay them.
//!
//! - [`engine`]: the work list and the workers; [`budget`]: `--time`;
//! - [`partition`]: `--partition hash:K/N | slice:K/N`;
//! - [`regressions`]: the regression file, run first, `--save-failures`;
//! - [`jsonl`]: `--json FILE`, one line per run;
//! - [`histogram`]: p50/p99 in bounded memory;
//! - [`groups`], [`rate`]: failures grouped by kind, with rates and 95% intervals;
//! - [`progress`], [`table`]: what the user sees.

pub mod budget;
pub mod coverage;
pub mod engine;
pub mod groups;
pub mod histogram;
pub mod jsonl;
pub mod partition;
pub mod progress;
pub mod rate;
pub mod regressions;
pub mod table;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use sims::TestCase;

pub use engine::{sweep, Progress, SeedRun, SweepConfig, TestSummary, WorkList};
use jsonl::JsonLines;
use regressions::Regressions;

use crate::{output, replay};

/// Everything `raftsim sweep` was asked for.
#[derive(Clone, Debug)]
pub struct SweepRequest {
    pub config: SweepConfig,
    /// Write one JSON line per run here.
    pub json: Option<PathBuf>,
    /// The regression file, and whether the user named it (then it must exist).
    pub regressions: PathBuf,
    pub regressions_named: bool,
    /// Append new failing seeds to the regression file.
    pub save_failures: bool,
}

/// Runs the sweep and prints its report; the last line is `N passed, N failed`.
/// Returns whether every run passed. Bad input fails before any run.
pub fn run(cases: &[&'static TestCase], request: &SweepRequest) -> Result<bool, String> {
    let config = &request.config;
    config.start.checked_add(config.seeds - 1).ok_or("--start plus --seeds overflows the seed range")?;
    let regressions = Regressions::load(&request.regressions, request.regressions_named && !request.save_failures)?;
    if request.save_failures {
        regressions.check_writable()?;
    }
    let json = request.json.as_deref().map(JsonLines::create).transpose()?;
    let work = WorkList::new(cases, &regressions, config);
    let (planned, regression_runs) = work.planned();
    output::to_stdout(|out| writeln!(out, "{}", header(cases.len(), config, planned, regression_runs)))?;

    let progress = Progress::default();
    let json = json.map(Mutex::new);
    let observe = |index: u64, run: &SeedRun| {
        if let Some(json) = &json {
            let line = jsonl::line(run, config.bug);
            json.lock().expect("no writer panics").push(index, line, &work);
        }
    };
    let finished = AtomicBool::new(false);
    let (outcome, wall) = std::thread::scope(|scope| {
        let sweeper = scope.spawn(|| {
            #[allow(clippy::disallowed_methods)] // wall clock for the speed report only
            let began = Instant::now();
            let outcome = sweep(&work, config, &progress, &observe);
            finished.store(true, Ordering::Relaxed);
            (outcome, began.elapsed())
        });
        progress::watch(&progress, planned, &|| finished.load(Ordering::Relaxed));
        sweeper.join().expect("the sweep does not panic")
    });

    let saved =
        if request.save_failures { Some(save_failures(&regressions, &outcome.summaries, config.bug)?) } else { None };
    if let Some(json) = json {
        json.into_inner().expect("no writer panics").finish()?;
    }
    let first = match outcome.first_failure {
        Some((test, seed)) if config.until_fail => Some((work.case(test), seed)),
        _ => None,
    };
    let first = first.map(|(case, seed)| (case, replay::tail::record(case, seed, config.bug)));
    let passed: u64 = outcome.summaries.iter().map(|summary| summary.passed).sum();
    let failed: u64 = outcome.summaries.iter().map(|summary| summary.failed).sum();
    output::to_stdout(|out| {
        table::write(out, &outcome.summaries, config.bug)?;
        groups::write(out, &outcome.summaries, config.bug)?;
        if config.coverage {
            coverage::write(out, &outcome.summaries)?;
        }
        if let Some((case, (report, records))) = &first {
            writeln!(out, "first failure (--until-fail): {} seed {}", case.name, report.seed)?;
            replay::tail::write(out, case, report, records, config.bug)?;
        } else if config.until_fail && !outcome.out_of_time {
            writeln!(out, "no failure in {} run(s) (--until-fail)", passed + failed)?;
        }
        if outcome.out_of_time {
            let budget = config.time_budget.unwrap_or_default().as_secs_f64();
            writeln!(
                out,
                "stopped after the time budget (--time, {budget}s): {} of {planned} runs made",
                passed + failed
            )?;
        } else if outcome.stopped_early {
            let flag = if config.until_fail { "--until-fail" } else { "--fail-fast" };
            writeln!(out, "stopped at the first failure ({flag}): {} of {planned} runs made", passed + failed)?;
        }
        if let Some(saved) = saved {
            writeln!(out, "saved {saved} new failing seed(s) to {}", regressions.path().display())?;
        }
        if let Some(path) = &request.json {
            writeln!(out, "wrote one JSON line per run to {}", path.display())?;
        }
        let rate = (passed + failed) as f64 / wall.as_secs_f64().max(1e-6);
        writeln!(out, "{} run(s) in {:.2}s wall ({rate:.0} seeds/s)", passed + failed, wall.as_secs_f64())?;
        writeln!(out, "{passed} passed, {failed} failed")
    })?;
    Ok(failed == 0)
}

fn header(tests: usize, config: &SweepConfig, planned: u64, regression_runs: u64) -> String {
    let mut text = format!(
        "sweeping {tests} test(s) × {} seeds ({}..{}) on {} worker(s)",
        config.seeds,
        config.start,
        config.start + (config.seeds - 1),
        config.jobs
    );
    if let Some(partition) = config.partition {
        text.push_str(&format!(", partition {partition}"));
    }
    if let Some(bug) = config.bug {
        text.push_str(&format!(", with planted bug {bug}"));
    }
    if config.until_fail {
        text.push_str(", round-robin until the first failure");
    }
    if let Some(budget) = config.time_budget {
        text.push_str(&format!(", for at most {}s wall", budget.as_secs_f64()));
    }
    if config.check_determinism {
        text.push_str(", each seed twice (--check-determinism)");
    }
    text.push_str(&format!(": {planned} runs"));
    if regression_runs > 0 {
        text.push_str(&format!(", {regression_runs} of them regression seeds, run first"));
    }
    text
}

fn save_failures(regressions: &Regressions, summaries: &[TestSummary], bug: Option<&str>) -> Result<usize, String> {
    let failures: Vec<(&'static str, u64, String)> = summaries
        .iter()
        .flat_map(|summary| {
            summary.failures.iter().map(move |failure| {
                let bug = bug.map(|bug| format!(" (with --bug {bug})")).unwrap_or_default();
                (summary.name, failure.seed, format!("{}: {}{bug}", failure.check, failure.reason))
            })
        })
        .collect();
    regressions.append(&failures)
}
