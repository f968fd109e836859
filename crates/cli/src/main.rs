//! `raftsim`: run, sweep and list the 6.824 Raft lab tests as seeded simulations.
//!
//! Exit codes: 0 all passed; 100 some seed failed; 2 bad usage.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::{Parser, Subcommand};
use raftsim::sweep::{sweep, Progress, SweepConfig, TestSummary};
use raftsim::{bugs, trace_format};
use sims::TestCase;
use tester::{Options, Report};

const EXIT_FAILED: u8 = 100;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(name = "raftsim", version, about = "Deterministic simulation of the MIT 6.824 Raft lab tests")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the lab tests, one per line.
    List,
    /// List the planted bugs this build carries.
    Bugs,
    /// Run one seed of one test and print the lab's result line and the trace hash.
    Run {
        /// The test, e.g. InitialElection2A.
        test: String,
        #[arg(long)]
        seed: u64,
        /// Print every event of the run.
        #[arg(long)]
        trace: bool,
        /// Run with a planted bug (see `raftsim bugs`).
        #[arg(long)]
        bug: Option<String>,
    },
    /// Run many seeds of the tests a pattern names (a name, a part like 2A, a substring, `all`).
    Sweep {
        pattern: String,
        /// How many seeds per test.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        start: u64,
        /// Worker threads (default: all cores).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
        jobs: Option<u64>,
        /// Run with a planted bug (see `raftsim bugs`).
        #[arg(long)]
        bug: Option<String>,
        /// Stop at the first failing seed.
        #[arg(long)]
        fail_fast: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("raftsim: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn execute(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::List => {
            for case in sims::TESTS {
                println!("{:<28} {} servers  {}", case.name, case.setup.servers, case.description);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bugs => {
            let catalogue = bugs::catalogue();
            if catalogue.is_empty() {
                return Err(
                    "this raftsim was built without planted bugs; rebuild with `--features planted-bugs`".into()
                );
            }
            for (name, description) in catalogue {
                println!("{name:<28} {description}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { test, seed, trace, bug } => {
            let case = find_test(&test)?;
            let bug = bug.as_deref().map(bugs::lookup).transpose()?;
            if trace {
                trace_format::install_stdout();
            }
            let report = sims::run_test(case, seed, &Options { bug, ..Options::default() });
            print_run(case, &report, bug);
            Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_FAILED) })
        }
        Command::Sweep { pattern, seeds, start, jobs, bug, fail_fast } => {
            let cases = sims::matching(&pattern);
            if cases.is_empty() {
                return Err(no_match(&pattern));
            }
            start.checked_add(seeds).ok_or("--start plus --seeds overflows the seed range")?;
            let bug = bug.as_deref().map(bugs::lookup).transpose()?;
            let jobs = jobs.map_or_else(default_jobs, |jobs| jobs as usize);
            let config = SweepConfig { start, seeds, jobs, bug, fail_fast };
            Ok(run_sweep(&cases, &config))
        }
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn find_test(name: &str) -> Result<&'static TestCase, String> {
    sims::find(name).ok_or_else(|| match sims::suggest(name) {
        Some(close) => format!("unknown test '{name}'; did you mean '{close}'? (`raftsim list` shows them all)"),
        None => format!("unknown test '{name}' (`raftsim list` shows them all)"),
    })
}

fn no_match(pattern: &str) -> String {
    match sims::suggest(pattern) {
        Some(close) => format!("no test matches '{pattern}'; did you mean '{close}'?"),
        None => format!("no test matches '{pattern}' (try a name, 2A..2D, or all)"),
    }
}

fn replay_command(name: &str, seed: u64, bug: Option<&str>) -> String {
    match bug {
        Some(bug) => format!("raftsim run {name} --seed {seed} --bug {bug}"),
        None => format!("raftsim run {name} --seed {seed}"),
    }
}

fn print_run(case: &TestCase, report: &Report, bug: Option<&str>) {
    let stats = report.stats;
    println!("{} ...", case.description);
    for warning in &report.warnings {
        println!("warning: {warning}");
    }
    let line = format!(
        "{:4.1}  {} {:4} {:7} {:4}",
        stats.virtual_time_us as f64 / 1e6,
        stats.peers,
        stats.rpcs,
        stats.bytes,
        stats.commands
    );
    match &report.outcome {
        Ok(()) => println!("  ... Passed --  {line}"),
        Err(failure) => {
            println!("--- FAIL: {} (seed {}) at {}: {failure}", case.name, report.seed, report.end_time);
            println!("  ... stats --  {line}");
        }
    }
    let bug_note = bug.map(|bug| format!("  bug {bug}")).unwrap_or_default();
    println!(
        "seed {}  events {}  trace {:016x}{bug_note}  replay: {}",
        report.seed,
        report.events,
        report.trace_hash,
        replay_command(case.name, report.seed, bug)
    );
}

fn run_sweep(cases: &[&'static TestCase], config: &SweepConfig) -> ExitCode {
    let total = cases.len() as u64 * config.seeds;
    println!(
        "sweeping {} test(s) × {} seeds ({}..{}) on {} worker(s){}",
        cases.len(),
        config.seeds,
        config.start,
        config.start + config.seeds - 1,
        config.jobs,
        config.bug.map(|bug| format!(" with planted bug {bug}")).unwrap_or_default()
    );
    let progress = Progress::default();
    let summaries = std::thread::scope(|scope| {
        let worker = scope.spawn(|| sweep(cases, config, false, &progress));
        show_progress(&progress, total, &worker);
        worker.join().expect("the sweep does not panic")
    });
    print_summaries(&summaries, config.bug);
    let failed: u64 = summaries.iter().map(|s| s.failures.len() as u64).sum();
    let passed: u64 = summaries.iter().map(|s| s.passed).sum();
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// A one-line progress display on a terminal; nothing when stderr is not one.
fn show_progress<T>(progress: &Progress, total: u64, worker: &std::thread::ScopedJoinHandle<'_, T>) {
    let mut stderr = std::io::stderr();
    let live = stderr.is_terminal();
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(200));
        if live {
            let done = progress.done.load(Ordering::Relaxed);
            let failed = progress.failed.load(Ordering::Relaxed);
            let _ = write!(stderr, "\r{done}/{total} runs, {failed} failed ");
            let _ = stderr.flush();
        }
    }
    if live {
        let _ = write!(stderr, "\r\x1b[2K");
    }
}

fn print_summaries(summaries: &[TestSummary], bug: Option<&str>) {
    println!(
        "{:<28} {:>8} {:>7} {:>10} {:>9} {:>10} {:>11}  digest",
        "test", "passed", "failed", "virt s/run", "RPCs/run", "bytes/run", "seeds/s/core"
    );
    for summary in summaries {
        let runs = summary.runs().max(1);
        println!(
            "{:<28} {:>8} {:>7} {:>10.2} {:>9} {:>10} {:>11.0}  {:016x}",
            summary.name,
            summary.passed,
            summary.failures.len(),
            summary.virtual_time_us as f64 / 1e6 / runs as f64,
            summary.rpcs / runs,
            summary.bytes / runs,
            summary.seeds_per_core_second(),
            summary.digest
        );
    }
    for summary in summaries {
        for failure in &summary.failures {
            println!("FAIL {} seed {}: {}: {}", summary.name, failure.seed, failure.check, failure.reason);
            println!("     replay: {}", replay_command(summary.name, failure.seed, bug));
        }
    }
}
