//! What each subcommand does, over the Rafts of one program: list the tests
//! or the Rafts, run a seed, sweep, replay, hunt, merge shards' reports,
//! print completions and the man page.

use std::io::Write;
use std::process::ExitCode;

use harness::replay::filter::{parse_nodes, parse_time, Filter, Topics};
use harness::replay::{ReplayOptions, View};
use harness::sweep::partition::Partition;
use harness::sweep::{SweepConfig, SweepRequest, Verdict};
use harness::{bugs, exit, find_test, output, replay, sweep, Rafts};
use sims::TestCase;
use tester::Report;

use crate::args::{Command, Format, ReplayArgs, ShrinkArgs, SweepArgs, JSON_VERSION};
use crate::Program;

/// Runs one parsed command for `program`.
pub(crate) fn execute(command: Command, program: &Program) -> Result<ExitCode, String> {
    let rafts = &program.rafts;
    match command {
        Command::List { rafts: true } => {
            output::to_stdout(|out| {
                for name in rafts.names() {
                    writeln!(out, "{name:<20} {}", rafts.description(name).unwrap_or_default())?;
                }
                writeln!(out, "(any program speaking docs/node-protocol.md: --node-cmd CMD)")
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::List { rafts: false } => {
            output::to_stdout(|out| {
                for case in sims::all_cases() {
                    writeln!(out, "{:<28} {} servers  {}", case.name, case.setup.servers, case.description)?;
                }
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bugs => {
            let catalogue = bugs::catalogue();
            if catalogue.is_empty() {
                return Err(
                    "this raftsim was built without planted bugs; rebuild with `--features planted-bugs`".into()
                );
            }
            output::to_stdout(|out| {
                for (name, description) in catalogue {
                    writeln!(out, "{name:<28} {description}")?;
                }
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { test, seed, trace, raft, network } => run(&test, seed, trace, &raft.selection(rafts)?, network),
        Command::Sweep(args) => run_sweep(args, program),
        Command::Replay(args) => run_replay(args, rafts),
        Command::Hunt { tests, seeds, bugs, jobs } => run_hunt(&tests, seeds, bugs.as_deref(), jobs, rafts),
        Command::Shrink(args) => run_shrink(args, program),
        Command::Report { files } => Ok(program.verdict_code(harness::sweep::report::run(&files, rafts)?)),
        Command::Completions { shell } => {
            output::to_stdout(|out| {
                clap_complete::generate(shell, &mut program.command(), program.tag.as_str(), out);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            output::to_stdout(|out| clap_mangen::Man::new(program.command()).render(out))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_hunt(tests: &str, seeds: u64, only: Option<&str>, jobs: Option<u64>, rafts: &Rafts) -> Result<ExitCode, String> {
    let cases = sims::matching(tests);
    if cases.is_empty() {
        return Err(format!("no test matches '{tests}' (try a name, 2A..2D, or all)"));
    }
    let names: Vec<&'static str> = match only {
        Some(list) => list.split(',').map(str::trim).map(bugs::lookup).collect::<Result<_, _>>()?,
        None => {
            let all: Vec<&'static str> = bugs::catalogue().into_iter().map(|(name, _)| name).collect();
            if all.is_empty() {
                return Err(
                    "this raftsim was built without planted bugs; rebuild with `--features planted-bugs`".into()
                );
            }
            all
        }
    };
    let jobs = jobs.map_or_else(default_jobs, |jobs| jobs as usize);
    let mut missed = 0;
    output::to_stdout(|out| {
        writeln!(out, "hunting {} bug(s) with {} test(s), up to {seeds} seeds each", names.len(), cases.len())?;
        writeln!(out, "{:<28} {:<28} {:>5} {:>6}  {:<10} check", "bug", "caught by", "seed", "seeds", "kind")?;
        Ok(())
    })?;
    harness::interrupt::install()?;
    for name in names {
        eprintln!("hunting {name} ...");
        let found = harness::hunt::hunt_showing_progress(name, &cases, seeds, jobs, rafts);
        if let Some(signal) = harness::interrupt::requested() {
            let signal_name = harness::interrupt::name(signal);
            output::to_stdout(|out| {
                writeln!(out, "interrupted ({signal_name}) while hunting {name}: the rows above are complete")
            })?;
            return Ok(ExitCode::from(harness::interrupt::exit_code(signal)));
        }
        output::to_stdout(|out| match &found.caught {
            Some(catch) => writeln!(
                out,
                "{:<28} {:<28} {:>5} {:>6}  {:<10} {}: {}",
                name,
                catch.test,
                catch.seed,
                found.seeds_searched,
                catch.kind(),
                catch.check,
                catch.reason
            ),
            None => {
                missed += 1;
                writeln!(out, "{:<28} {:<28} {:>5} {:>6}  not caught", name, "-", "-", found.seeds_searched)
            }
        })?;
    }
    output::to_stdout(|out| writeln!(out, "{missed} bug(s) not caught"))?;
    Ok(outcome_code(missed == 0))
}

/// The most seeds per test `--until-fail` tries when `--seeds` is not given.
const UNTIL_FAIL_SEEDS: u64 = 1_000_000;

/// Worker threads by default: every core.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn outcome_code(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    }
}

fn run(
    test: &str,
    seed: u64,
    trace: bool,
    raft: &harness::Selection,
    network: tester::Profile,
) -> Result<ExitCode, String> {
    let case = find_test(test)?;
    let options = tester::Options { network, ..raft.options() };
    let (report, records) = if trace {
        replay::record::record_run(case, seed, &options)
    } else {
        (sims::run_test(case, seed, &options), Vec::new())
    };
    // A failure is explained from its events: record the seed again if they were not kept.
    let explained = match (&report.outcome, trace) {
        (Err(_), false) => Some(replay::record::record_run(case, seed, &options).1),
        _ => None,
    };
    output::to_stdout(|out| {
        replay::lines::write(out, replay::describe::rows(&records).iter(), replay::style::Style { color: false })?;
        print_run(out, case, &report, raft)?;
        replay::diagnosis::write(out, &report, explained.as_deref().unwrap_or(&records), case.setup.servers)
    })?;
    Ok(outcome_code(report.passed()))
}

fn print_run(out: &mut dyn Write, case: &TestCase, report: &Report, raft: &harness::Selection) -> std::io::Result<()> {
    let stats = report.stats;
    writeln!(out, "{} ...", case.description)?;
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    if let Some(swarm) = harness::network::swarm_line(report) {
        writeln!(out, "{swarm}")?;
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
        Ok(()) => writeln!(out, "  ... Passed --  {line}")?,
        Err(failure) => {
            writeln!(out, "--- FAIL: {} (seed {}) at {}: {failure}", case.name, report.seed, report.end_time)?;
            writeln!(out, "  ... stats --  {line}")?;
        }
    }
    let bug_note = raft.bug().map(|bug| format!("  bug {bug}")).unwrap_or_default();
    writeln!(
        out,
        "seed {}  events {}  trace {:016x}{bug_note}  replay: {}",
        report.seed,
        report.events,
        report.trace_hash,
        raft.replay_command(case.name, report.seed)
    )
}

fn run_sweep(args: SweepArgs, program: &Program) -> Result<ExitCode, String> {
    let cases = sims::matching(&args.pattern);
    if cases.is_empty() {
        return Err(match sims::suggest(&args.pattern) {
            Some(close) => format!("no test matches '{}'; did you mean '{close}'?", args.pattern),
            None => format!("no test matches '{}' (try a name, 2A..2D, or all)", args.pattern),
        });
    }
    let partition = args.partition.as_deref().map(str::parse::<Partition>).transpose()?;
    let raft = args.raft.selection(&program.rafts)?;
    let jobs = args.jobs.map_or_else(default_jobs, |jobs| jobs as usize);
    let time_budget = args.time.as_deref().map(sweep::budget::parse).transpose()?;
    let config = SweepConfig {
        start: args.start,
        seeds: args.seeds.unwrap_or(UNTIL_FAIL_SEEDS),
        jobs,
        raft,
        fail_fast: args.fail_fast,
        check_determinism: args.check_determinism,
        partition,
        no_invariants: args.no_invariants,
        until_fail: args.until_fail,
        time_budget,
        network: args.network,
        coverage: args.coverage,
    };
    let regressions = args.regressions.clone().unwrap_or_else(|| {
        let cwd = std::env::current_dir().unwrap_or_default();
        program.rafts.regressions_path(&cwd, &config.raft)
    });
    let request = SweepRequest {
        config,
        json: args.json,
        regressions_named: args.regressions.is_some(),
        regressions,
        save_failures: args.save_failures,
        save_max: args.save_max,
        version: JSON_VERSION.into(),
        shrink: args.shrink,
    };
    harness::interrupt::install()?;
    Ok(program.verdict_code(sweep::run(&cases, &request)?))
}

fn run_replay(args: ReplayArgs, rafts: &Rafts) -> Result<ExitCode, String> {
    let case = find_test(&args.test)?;
    let (raft, script) = match &args.script {
        Some(path) => {
            let parsed = harness::shrink::load(path, case)?;
            let flags = args.raft.given().then(|| args.raft.selection(rafts)).transpose()?;
            (harness::shrink::selection_for(&parsed.header, flags, rafts)?, Some(std::sync::Arc::new(parsed.script)))
        }
        None => (args.raft.selection(rafts)?, None),
    };
    let filter = Filter {
        nodes: args.nodes.as_deref().map(|list| parse_nodes(list, case.setup.servers)).transpose()?,
        topics: args.topics.as_deref().map(Topics::parse).transpose()?,
        from_us: args.from.as_deref().map(parse_time).transpose().map_err(|why| format!("--from: {why}"))?,
        until_us: args.until.as_deref().map(parse_time).transpose().map_err(|why| format!("--until: {why}"))?,
    };
    if let (Some(from), Some(until)) = (filter.from_us, filter.until_us) {
        if until < from {
            return Err(format!(
                "--until ({}) is before --from ({})",
                args.until.unwrap_or_default(),
                args.from.unwrap_or_default()
            ));
        }
    }
    let view = match (args.format, args.columns) {
        (Format::Json, _) => View::Json,
        (Format::Text, true) => View::Columns { width: args.width as usize },
        (Format::Text, false) => View::Lines,
    };
    let seed = args.seed.unwrap_or_default();
    let color = args.color.for_stdout();
    let options = ReplayOptions { seed, raft, view, color, filter, timeline: args.timeline, script };
    Ok(outcome_code(replay::replay(case, &options)?))
}

/// `raftsim shrink`: progress on stderr, the commented script on stdout (and in --out).
fn run_shrink(args: ShrinkArgs, program: &Program) -> Result<ExitCode, String> {
    let case = find_test(&args.test)?;
    let raft = args.raft.selection(&program.rafts)?;
    let time = args.time.as_deref().map(sweep::budget::parse).transpose()?;
    let limits = harness::shrink::Limits { max_runs: args.max_runs, time };
    #[allow(clippy::disallowed_methods)] // wall clock for the time taken, printed only
    let began = std::time::Instant::now();
    let shrunk = harness::shrink::shrink(case, &raft, args.seed, limits, &mut |line| eprintln!("{line}"))?;
    let spent = began.elapsed();
    if let Some(path) = &args.out {
        let mut file = output::AtomicFile::create(path)?;
        file.writer()
            .write_all(shrunk.text.as_bytes())
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        file.commit()?;
    }
    output::to_stdout(|out| out.write_all(shrunk.text.as_bytes()))?;
    let budget = if shrunk.budget_spent { " (budget spent: --max-runs or --time for more)" } else { "" };
    eprintln!("shrunk in {} runs, {:.1}s{budget}", shrunk.runs, spent.as_secs_f64());
    eprintln!("original: {}", harness::shrink::size_line(&shrunk.original));
    eprintln!("shrunk:   {}", harness::shrink::size_line(&shrunk.shrunk));
    let file = args.out.as_ref().map_or_else(|| "FILE".to_string(), |path| path.display().to_string());
    let rerun = raft.rerun();
    eprintln!("replay:   {}", rerun.script_command(case.name, &file));
    Ok(ExitCode::SUCCESS)
}

impl Program {
    /// The exit code of a sweep or a report; a write error is told on stderr.
    pub(crate) fn verdict_code(&self, verdict: Verdict) -> ExitCode {
        match verdict {
            Verdict::Passed => ExitCode::SUCCESS,
            Verdict::Failed => ExitCode::from(exit::FAILED),
            Verdict::NoRuns => {
                eprintln!("{}: no run was made (exit {})", self.tag, exit::NO_RUNS);
                ExitCode::from(exit::NO_RUNS)
            }
            Verdict::Interrupted(signal) => ExitCode::from(harness::interrupt::exit_code(signal)),
            Verdict::WriteError(message) => {
                eprintln!("{}: {message}", self.tag);
                ExitCode::from(exit::WRITE_ERROR)
            }
        }
    }
}
