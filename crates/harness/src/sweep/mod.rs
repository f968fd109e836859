//! `raftsim sweep`: many seeds of many tests, in parallel, with a progress
//! display, an end table, the failing seeds and how to replay them.
//!
//! - [`work`]: the runs to make; [`engine`]: the workers; [`budget`]: `--time`;
//! - [`summary`]: what a test's runs add up to (the same for any split);
//! - [`partition`]: `--partition hash:K/N | slice:K/N`;
//! - [`regressions`]: the regression file, run first, `--save-failures`;
//! - [`jsonl`]: `--json FILE`, a header and one line per run; [`report`]
//!   merges such files from many shards into one sweep's report;
//! - [`histogram`]: p50/p99 in bounded memory;
//! - [`groups`], [`rate`]: failures grouped by kind, with rates and 95% intervals;
//! - [`progress`], [`table`], [`ending`]: what the user sees;
//! - [`shrunk`]: `--shrink`, each failure group's smallest seed as a fault script.

pub mod budget;
pub mod coverage;
pub mod ending;
pub mod engine;
pub mod groups;
pub mod histogram;
pub mod jsonl;
pub mod partition;
pub mod progress;
pub mod rate;
pub mod regressions;
pub mod report;
pub mod shrunk;
pub mod summary;
pub mod table;
pub mod work;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use sims::TestCase;

pub use engine::{sweep, Progress, RunFailure, SeedRun, SweepConfig, TestSummary, WorkList};
use jsonl::{Header, JsonLines};
use regressions::Regressions;

use crate::{output, replay};

/// Everything `raftsim sweep` was asked for.
#[derive(Clone, Debug)]
pub struct SweepRequest {
    pub config: SweepConfig,
    /// Write the header and one JSON line per run here (`-`: stdout).
    pub json: Option<PathBuf>,
    /// The regression file, and whether the user named it (then it must exist).
    pub regressions: PathBuf,
    pub regressions_named: bool,
    /// Append new failing seeds to the regression file.
    pub save_failures: bool,
    /// Save at most this many new seeds (`--save-max`); none: every one.
    pub save_max: Option<u64>,
    /// raftsim's version and commit, for the JSON header.
    pub version: String,
    /// Shrink each failure group's smallest seed to a fault script ([`shrunk`]).
    pub shrink: bool,
}

/// How a sweep ended, for the exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// Nothing to run (an empty shard).
    NoRuns,
    /// Stopped by a signal (2 SIGINT, 15 SIGTERM); what ran was reported.
    Interrupted(i32),
    /// The runs were made and reported, but an output could not be written.
    WriteError(String),
}

/// A failing seed to save: (test index, position, test, seed, note).
type ToSave = (usize, u64, &'static str, u64, String);

/// Runs the sweep and prints its report; the last line is `N passed, N failed`.
/// Bad input fails before any run (`Err`: a one-line usage error).
pub fn run(cases: &[&'static TestCase], request: &SweepRequest) -> Result<Verdict, String> {
    let config = &request.config;
    let regressions = Regressions::load(&request.regressions, request.regressions_named && !request.save_failures)?;
    if request.save_failures {
        regressions.check_writable()?;
    }
    let work = WorkList::new(cases, &regressions, config)?;
    let header = json_header(cases, request, &regressions);
    let json = request.json.as_deref().map(|path| JsonLines::create(path, &header)).transpose()?;
    let per_test = work.planned_per_test();
    let (planned, regression_runs) = (per_test.iter().sum::<u64>(), work.planned().1);
    let header_line = ending::header(cases.len(), config, planned, regression_runs);
    if let Err(error) = output::to_stdout(|out| writeln!(out, "{header_line}")) {
        return Ok(Verdict::WriteError(error));
    }
    if planned == 0 {
        output::to_stdout(|out| writeln!(out, "no run to make: this shard holds none of the seeds"))?;
        return Ok(match json.map(JsonLines::finish).transpose() {
            Ok(_) => Verdict::NoRuns,
            Err(error) => Verdict::WriteError(error),
        });
    }

    let names: Vec<&'static str> = cases.iter().map(|case| case.name).collect();
    let flags = config.raft.flags();
    let progress = Progress::new(&names, &per_test, config.jobs, config.raft.rerun());
    let json = json.map(Mutex::new);
    let to_save: Mutex<Vec<ToSave>> = Mutex::new(Vec::new());
    let observe = |index: u64, run: &SeedRun| {
        if let Some(json) = &json {
            let line = jsonl::line(run, config.raft.bug());
            json.lock().unwrap_or_else(|poison| poison.into_inner()).push(index, line, &work);
        }
        if let (true, Err(failure)) = (request.save_failures, &run.outcome) {
            let bug = if flags.is_empty() { String::new() } else { format!(" (with{flags})") };
            let note = format!("{}: {}{bug}", failure.check, failure.reason);
            let test = names.iter().position(|name| *name == run.test).unwrap_or(0);
            to_save.lock().unwrap_or_else(|poison| poison.into_inner()).push((
                test,
                run.position,
                run.test,
                run.seed,
                note,
            ));
        }
    };
    let (outcome, wall) = sweep_with_progress(&work, config, &progress, &observe, planned);

    let json = json.map(|json| json.into_inner().unwrap_or_else(|poison| poison.into_inner()));
    let to_save = to_save.into_inner().unwrap_or_else(|poison| poison.into_inner());
    let (saved, mut write_error) = finish_outputs(request, &regressions, to_save, json);
    let first = until_fail_tail(&outcome, &work, config);
    let failed: u64 = outcome.summaries.iter().map(|summary| summary.failed).sum();
    let printed = output::to_stdout(|out| {
        table::write(out, &outcome.summaries, &config.raft.rerun())?;
        groups::write(out, &outcome.summaries, &config.raft.rerun())?;
        if config.coverage {
            coverage::write(out, &outcome.summaries)?;
        }
        if let Some((case, (report, records))) = &first {
            writeln!(out, "first failure (--until-fail): {} seed {}", case.name, report.seed)?;
            replay::tail::write(out, case, report, records, &config.raft)?;
        }
        let wrote = if write_error.is_none() { request.json.as_deref() } else { None };
        ending::write(
            out,
            &ending::Ending { config, outcome: &outcome, planned, saved, regressions: &regressions, json: wrote, wall },
        )
    });
    // A report that cannot be printed (stdout on a full disk) is a write error, not bad usage.
    if let Err(error) = printed {
        write_error.get_or_insert(error);
    }
    if request.shrink && outcome.interrupted.is_none() && failed > 0 {
        let keep = request.save_failures.then_some(request.regressions.as_path());
        if let Err(error) = shrunk::shrink_groups(&outcome, &work, &config.raft, keep) {
            write_error.get_or_insert(error);
        }
    }
    Ok(match (outcome.interrupted, write_error) {
        (Some(signal), error) => {
            if let Some(error) = error {
                eprintln!("raftsim: {error}");
            }
            Verdict::Interrupted(signal)
        }
        (None, Some(error)) => Verdict::WriteError(error),
        (None, None) if failed == 0 => Verdict::Passed,
        (None, None) => Verdict::Failed,
    })
}

fn sweep_with_progress(
    work: &WorkList,
    config: &SweepConfig,
    progress: &Progress,
    observe: &(dyn Fn(u64, &SeedRun) + Sync),
    planned: u64,
) -> (engine::Outcome, std::time::Duration) {
    progress::while_showing(progress, planned, || {
        #[allow(clippy::disallowed_methods)] // wall clock for the speed report only
        let began = Instant::now();
        let outcome = sweep(work, config, progress, observe);
        (outcome, began.elapsed())
    })
}

type Tail = (&'static TestCase, (tester::Report, Vec<tester::trace::Traced>));

/// With `--until-fail`, the first failure's last events, recorded again with
/// the same Raft (a run that panicked may panic again: then no tail).
fn until_fail_tail(outcome: &engine::Outcome, work: &WorkList, config: &SweepConfig) -> Option<Tail> {
    let (test, seed) = outcome.first_failure?;
    if !config.until_fail || outcome.interrupted.is_some() {
        return None;
    }
    let (case, raft) = (work.case(test), &config.raft);
    let recorded = std::panic::catch_unwind(AssertUnwindSafe(|| replay::tail::record(case, seed, raft))).ok()?;
    Some((case, recorded))
}

/// Saves the failing seeds and puts the JSON file in place: what was saved,
/// and the first write error (the report is printed all the same).
fn finish_outputs(
    request: &SweepRequest,
    regressions: &Regressions,
    to_save: Vec<ToSave>,
    json: Option<JsonLines>,
) -> (Option<(usize, u64)>, Option<String>) {
    let (mut saved, mut write_error) = (None, None);
    if request.save_failures {
        match save_failures(regressions, to_save, request.save_max) {
            Ok(counts) => saved = Some(counts),
            Err(error) => write_error = Some(error),
        }
    }
    if let Some(Err(error)) = json.map(JsonLines::finish) {
        write_error.get_or_insert(error);
    }
    (saved, write_error)
}

/// The JSON header: what `raftsim report` checks before merging shards.
fn json_header(cases: &[&'static TestCase], request: &SweepRequest, regressions: &Regressions) -> Header {
    let config = &request.config;
    let mut digest = sim::TraceHash::default();
    for case in cases {
        for seed in regressions.seeds_for(case.name) {
            digest.add(seed);
        }
        digest.add(u64::MAX);
    }
    let listed = cases.iter().any(|case| !regressions.seeds_for(case.name).is_empty());
    Header {
        version: request.version.clone(),
        raft: config.raft.name(),
        network: "labrpc".into(),
        tests: cases.iter().map(|case| case.name.to_string()).collect(),
        start: config.start,
        seeds: config.seeds,
        bug: config.raft.bug().map(str::to_string),
        partition: config.partition.map(|partition| partition.to_string()),
        no_invariants: config.no_invariants,
        check_determinism: config.check_determinism,
        fail_fast: config.fail_fast,
        until_fail: config.until_fail,
        time_budget: config.time_budget.is_some(),
        regressions: if listed { format!("{:016x}", digest.value()) } else { "none".into() },
    }
}

/// Appends the failing seeds in run order; returns (saved, not saved because of `--save-max`).
fn save_failures(
    regressions: &Regressions,
    mut failures: Vec<ToSave>,
    max: Option<u64>,
) -> Result<(usize, u64), String> {
    failures.sort_by_key(|(test, position, ..)| (*test, *position));
    let total = failures.len() as u64;
    let kept = max.map_or(total, |max| max.min(total));
    let failures: Vec<(&'static str, u64, String)> =
        failures.into_iter().take(kept as usize).map(|(_, _, test, seed, note)| (test, seed, note)).collect();
    Ok((regressions.append(&failures)?, total - kept))
}
