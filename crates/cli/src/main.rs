//! `raftsim`: list, run, sweep and replay the 6.824 Raft lab tests as seeded
//! simulations; merge sharded sweeps (`report`); print completions and a man page.
//!
//! Exit codes ([`harness::exit`]): 0 all passed; 100 some seed failed; 2 bad
//! usage (one line on stderr); 4 no run made; 110 an output could not be
//! written; 130/143 interrupted by SIGINT/SIGTERM (what ran was reported).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use harness::replay::filter::{parse_nodes, parse_time, Filter, Topics};
use harness::replay::{ReplayOptions, View};
use harness::sweep::partition::Partition;
use harness::sweep::{SweepConfig, SweepRequest, Verdict};
use harness::{bugs, exit, find_test, output, replay, replay_command, sweep};
use sims::TestCase;
use tester::Report;

/// When to color.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color stdout: `auto` colors a terminal unless `NO_COLOR` is set.
    fn for_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// raftsim's version, the commit it was built from, and whether planted bugs are in it.
#[cfg(feature = "planted-bugs")]
const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ", planted bugs: compiled in)");
#[cfg(not(feature = "planted-bugs"))]
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ", planted bugs: none)");
/// The version a --json header records.
const JSON_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ")");

/// Which Raft runs: our core (with a planted bug, perhaps), another by name, or a node process.
#[derive(clap::Args, Clone, Debug)]
struct RaftArgs {
    /// The Raft under test, by name (see `raftsim list --rafts`; default: our core).
    #[arg(long, env = "RAFTSIM_RAFT", value_name = "NAME")]
    raft: Option<String>,
    /// The Raft under test as a program speaking the node protocol (docs/node-protocol.md), one process per node.
    #[arg(long, value_name = "CMD")]
    node_cmd: Option<String>,
    /// Run our core with a planted bug (see `raftsim bugs`).
    #[arg(long)]
    bug: Option<String>,
}

impl RaftArgs {
    /// Whether any of the flags was given.
    fn given(&self) -> bool {
        self.raft.is_some() || self.node_cmd.is_some() || self.bug.is_some()
    }

    fn selection(&self) -> Result<harness::Selection, String> {
        let bug = self.bug.as_deref().map(bugs::lookup).transpose()?;
        harness::Selection::from_flags(self.raft.as_deref(), self.node_cmd.as_deref(), bug)
    }
}

#[derive(Parser)]
#[command(
    name = "raftsim",
    version = VERSION,
    about = "Deterministic simulation of the MIT 6.824 Raft lab tests",
    after_help = harness::exit::TABLE
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the lab tests, one per line (or, with --rafts, the Rafts `--raft` takes).
    List {
        /// List the Rafts this build can put under the tests instead.
        #[arg(long)]
        rafts: bool,
    },
    /// List the planted bugs this build carries.
    Bugs,
    /// Run one seed of one test and print the lab's result line and the trace hash.
    Run {
        /// The test, e.g. InitialElection2A.
        test: String,
        /// The seed: the same seed replays the same run.
        #[arg(long, allow_hyphen_values = true)]
        seed: u64,
        /// Print every event of the run first (as `replay` does).
        #[arg(long)]
        trace: bool,
        #[command(flatten)]
        raft: RaftArgs,
        /// Message timing: loopback (default) or labrpc-exact.
        #[arg(long, default_value = "loopback", value_parser = harness::network::parse)]
        network: tester::Profile,
    },
    /// Run many seeds of the tests a pattern names (a name, a part like 2A, a substring, `all`).
    Sweep(SweepArgs),
    /// Run one seed again and show what happened: lines, columns, JSON, or a timeline file.
    Replay(ReplayArgs),
    /// Sweep every planted bug against the lab tests and tell which test and check catch it.
    Hunt {
        /// Tests to hunt with: a name, a part (2A..2D), a substring, `all`, or a comma list.
        #[arg(long, default_value = "all")]
        tests: String,
        /// The most seeds per test, per bug.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        seeds: u64,
        /// Only these bugs (a comma list; default: all).
        #[arg(long, value_name = "LIST")]
        bugs: Option<String>,
        /// Worker threads (default: all cores).
        #[arg(long, env = "RAFTSIM_JOBS", value_parser = clap::value_parser!(u64).range(1..=1024))]
        jobs: Option<u64>,
    },
    /// Shrink a failing seed to a short fault script that fails the same check, and print it.
    Shrink(ShrinkArgs),
    /// Merge the --json files of a sweep's shards (`-`: stdin) into the report one sweep prints.
    Report {
        /// JSON-lines files written by `sweep --json`, one per shard.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print raftsim's man page (roff) to stdout: `raftsim man > raftsim.1`.
    Man,
}

#[derive(clap::Args)]
struct SweepArgs {
    /// Tests: a name, a part (2A..2D), a substring, `all`, or a comma list.
    pattern: String,
    /// How many seeds per test (with --until-fail: the most, default a million).
    #[arg(long, env = "RAFTSIM_SEEDS", value_parser = clap::value_parser!(u64).range(1..), allow_hyphen_values = true, required_unless_present = "until_fail")]
    seeds: Option<u64>,
    /// The first seed.
    #[arg(long, env = "RAFTSIM_START", default_value_t = 0, allow_hyphen_values = true)]
    start: u64,
    /// Worker threads (default: all cores).
    #[arg(long, env = "RAFTSIM_JOBS", value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    #[command(flatten)]
    raft: RaftArgs,
    /// Stop at the first failing seed.
    #[arg(long)]
    fail_fast: bool,
    /// Go round-robin over the tests until the first failure, then show its last events and why.
    #[arg(long)]
    until_fail: bool,
    /// Share this much wall-clock time (60s, 5m, 1h) round-robin over the tests; no run depends on it.
    #[arg(long, env = "RAFTSIM_TIME", value_name = "DURATION")]
    time: Option<String>,
    /// Run every seed twice; a seed whose two trace hashes differ fails.
    #[arg(long)]
    check_determinism: bool,
    /// Run one shard of the seeds: hash:K/N or slice:K/N (as cargo-nextest).
    #[arg(long, env = "RAFTSIM_PARTITION", value_name = "SPEC", value_parser = clap::value_parser!(String))]
    partition: Option<String>,
    /// Write a header and one JSON line per run to FILE (`-`: stdout, the report then goes to stderr).
    #[arg(long, env = "RAFTSIM_JSON", value_name = "FILE")]
    json: Option<PathBuf>,
    /// The regression file: `TEST SEED` lines, run first [default: the project's sims/regressions.txt].
    #[arg(long, env = "RAFTSIM_REGRESSIONS", value_name = "FILE")]
    regressions: Option<PathBuf>,
    /// Append new failing seeds to the regression file (under a file lock: concurrent sweeps are safe).
    #[arg(long)]
    save_failures: bool,
    /// After the report, shrink each failure group's smallest seed to a fault script and print it
    /// (with --save-failures, also keep it as scripts/TEST-SEED.script beside the regression file).
    #[arg(long)]
    shrink: bool,
    /// Save at most this many new failing seeds (default: every one); the rest are counted.
    #[arg(long, value_name = "N", requires = "save_failures")]
    save_max: Option<u64>,
    /// Skip Raft's invariants after every event (faster; the lab's own checks still run).
    #[arg(long)]
    no_invariants: bool,
    /// Message timing: loopback (default) or labrpc-exact.
    #[arg(long, default_value = "loopback", value_parser = harness::network::parse)]
    network: tester::Profile,
    /// Print how often the runs reached bug-prone situations (split votes, overtaking replies, ...).
    #[arg(long)]
    coverage: bool,
}

#[derive(clap::Args)]
struct ShrinkArgs {
    /// The test, e.g. Figure8Unreliable2C.
    test: String,
    /// The failing seed.
    #[arg(long, allow_hyphen_values = true)]
    seed: u64,
    #[command(flatten)]
    raft: RaftArgs,
    /// The most candidate runs (the default budget: the result is the same on any machine).
    #[arg(long, default_value_t = harness::shrink::DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
    max_runs: u64,
    /// Also stop once this much wall-clock time is spent (60s, 5m): the result then depends on the machine's speed.
    #[arg(long, value_name = "DURATION")]
    time: Option<String>,
    /// Write the script to FILE too (it always goes to stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ReplayArgs {
    /// The test, e.g. InitialElection2A.
    test: String,
    /// The seed: the same seed replays the same run.
    #[arg(long, allow_hyphen_values = true, required_unless_present = "script", conflicts_with = "script")]
    seed: Option<u64>,
    /// Run a fault script (as `raftsim shrink` prints) instead of a seed; unlisted decisions take
    /// their neutral default. A malformed script is one line naming its line and column (exit 2).
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
    #[command(flatten)]
    raft: RaftArgs,
    /// One column per node (dslogs style).
    #[arg(long, conflicts_with = "format")]
    columns: bool,
    /// The width of the columns in all, in characters.
    #[arg(long, default_value_t = 160, requires = "columns", value_parser = clap::value_parser!(u64).range(40..=1000))]
    width: u64,
    /// Color the output: auto colors only a terminal (and honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Only these nodes, e.g. 0,2.
    #[arg(long, value_name = "LIST")]
    nodes: Option<String>,
    /// Only these topics: timer, vote, role, append, commit, apply, snapshot, drop, net, client, test.
    #[arg(long, value_name = "LIST")]
    topics: Option<String>,
    /// Only events at or after this virtual time (2.5s, 2500ms, 300us).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    from: Option<String>,
    /// Only events at or before this virtual time.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    until: Option<String>,
    /// `text` lines, or `json`: one JSON object per event.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the whole run as a timeline instead: FILE.json (Perfetto, chrome://tracing) or FILE.svg.
    /// It draws every node and the whole run: --nodes, --topics, --from and --until do not apply.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["nodes", "topics", "from", "until"])]
    timeline: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_error(&error),
    };
    match execute(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("raftsim: {message}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Help and version go to stdout as usual; a usage error is one line on stderr, exit 2.
fn clap_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = error.print();
        return ExitCode::from(exit::USAGE);
    }
    // clap's message, without its usage block, folded onto one line.
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let message = message.join(" ");
    let message = message.trim_start_matches("error: ");
    eprintln!("raftsim: {message} (see `raftsim help`)");
    ExitCode::from(exit::USAGE)
}

fn execute(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::List { rafts: true } => {
            output::to_stdout(|out| {
                for name in sims::rafts::RAFTS {
                    writeln!(out, "{name:<20} {}", sims::rafts::description(name).unwrap_or(""))?;
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
        Command::Run { test, seed, trace, raft, network } => run(&test, seed, trace, &raft.selection()?, network),
        Command::Sweep(args) => run_sweep(args),
        Command::Replay(args) => run_replay(args),
        Command::Hunt { tests, seeds, bugs, jobs } => run_hunt(&tests, seeds, bugs.as_deref(), jobs),
        Command::Shrink(args) => run_shrink(args),
        Command::Report { files } => Ok(verdict_code(harness::sweep::report::run(&files)?)),
        Command::Completions { shell } => {
            output::to_stdout(|out| {
                clap_complete::generate(shell, &mut Cli::command(), "raftsim", out);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            output::to_stdout(|out| clap_mangen::Man::new(Cli::command()).render(out))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The exit code of a sweep or a report; a write error is told on stderr.
fn verdict_code(verdict: Verdict) -> ExitCode {
    match verdict {
        Verdict::Passed => ExitCode::SUCCESS,
        Verdict::Failed => ExitCode::from(exit::FAILED),
        Verdict::NoRuns => {
            eprintln!("raftsim: no run was made (exit {})", exit::NO_RUNS);
            ExitCode::from(exit::NO_RUNS)
        }
        Verdict::Interrupted(signal) => ExitCode::from(harness::interrupt::exit_code(signal)),
        Verdict::WriteError(message) => {
            eprintln!("raftsim: {message}");
            ExitCode::from(exit::WRITE_ERROR)
        }
    }
}

fn run_hunt(tests: &str, seeds: u64, only: Option<&str>, jobs: Option<u64>) -> Result<ExitCode, String> {
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
        let found = harness::hunt::hunt_showing_progress(name, &cases, seeds, jobs);
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
        replay_command(case.name, report.seed, &raft.flags())
    )
}

fn run_sweep(args: SweepArgs) -> Result<ExitCode, String> {
    let cases = sims::matching(&args.pattern);
    if cases.is_empty() {
        return Err(match sims::suggest(&args.pattern) {
            Some(close) => format!("no test matches '{}'; did you mean '{close}'?", args.pattern),
            None => format!("no test matches '{}' (try a name, 2A..2D, or all)", args.pattern),
        });
    }
    let partition = args.partition.as_deref().map(str::parse::<Partition>).transpose()?;
    let raft = args.raft.selection()?;
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
        sweep::regressions::path_for(&sweep::regressions::default_path(&cwd), &config.raft)
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
    Ok(verdict_code(sweep::run(&cases, &request)?))
}

fn run_replay(args: ReplayArgs) -> Result<ExitCode, String> {
    let case = find_test(&args.test)?;
    let (raft, script) = match &args.script {
        Some(path) => {
            let parsed = harness::shrink::load(path, case)?;
            let flags = args.raft.given().then(|| args.raft.selection()).transpose()?;
            (harness::shrink::selection_for(&parsed.header, flags)?, Some(std::sync::Arc::new(parsed.script)))
        }
        None => (args.raft.selection()?, None),
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
fn run_shrink(args: ShrinkArgs) -> Result<ExitCode, String> {
    let case = find_test(&args.test)?;
    let raft = args.raft.selection()?;
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
    eprintln!("replay:   raftsim replay {} --script {file}{}", case.name, raft.flags());
    Ok(ExitCode::SUCCESS)
}
