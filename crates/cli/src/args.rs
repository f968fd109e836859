//! The command line's grammar (clap): the subcommands, their flags and
//! their environment variables; nothing here runs anything.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use harness::{bugs, Rafts};

/// When to color.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color stdout: `auto` colors a terminal unless `NO_COLOR` is set.
    pub(crate) fn for_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// raftsim's version, the commit it was built from, and whether planted bugs are in it.
#[cfg(feature = "planted-bugs")]
pub(crate) const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ", planted bugs: compiled in)");
#[cfg(not(feature = "planted-bugs"))]
pub(crate) const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ", planted bugs: none)");
/// The version a --json header records.
pub(crate) const JSON_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("RAFTSIM_COMMIT"), ")");

/// Which Raft runs: our core (with a planted bug, perhaps), another by name, or a node process.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct RaftArgs {
    /// The Raft under test, by name (see `list --rafts`; default: the first it lists).
    #[arg(long, env = "RAFTSIM_RAFT", value_name = "NAME")]
    pub(crate) raft: Option<String>,
    /// The Raft under test as a program speaking the node protocol (docs/node-protocol.md), one process per node.
    #[arg(long, value_name = "CMD")]
    pub(crate) node_cmd: Option<String>,
    /// Run our core with a planted bug (see `raftsim bugs`); it chooses our core.
    #[arg(long)]
    pub(crate) bug: Option<String>,
}

impl RaftArgs {
    /// Whether any of the flags was given.
    pub(crate) fn given(&self) -> bool {
        self.raft.is_some() || self.node_cmd.is_some() || self.bug.is_some()
    }

    /// The Raft these flags choose among `rafts`.
    pub(crate) fn selection(&self, rafts: &Rafts) -> Result<harness::Selection, String> {
        let bug = self.bug.as_deref().map(bugs::lookup).transpose()?;
        rafts.select(self.raft.as_deref(), self.node_cmd.as_deref(), bug)
    }
}

#[derive(Parser)]
#[command(
    name = "raftsim",
    version = VERSION,
    about = "Deterministic simulation of the MIT 6.824 Raft lab tests",
    after_help = harness::exit::TABLE
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct SweepArgs {
    /// Tests: a name, a part (2A..2D), a substring, `all`, or a comma list.
    pub(crate) pattern: String,
    /// How many seeds per test (with --until-fail: the most, default a million).
    #[arg(long, env = "RAFTSIM_SEEDS", value_parser = clap::value_parser!(u64).range(1..), allow_hyphen_values = true, required_unless_present = "until_fail")]
    pub(crate) seeds: Option<u64>,
    /// The first seed.
    #[arg(long, env = "RAFTSIM_START", default_value_t = 0, allow_hyphen_values = true)]
    pub(crate) start: u64,
    /// Worker threads (default: all cores).
    #[arg(long, env = "RAFTSIM_JOBS", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub(crate) jobs: Option<u64>,
    #[command(flatten)]
    pub(crate) raft: RaftArgs,
    /// Stop at the first failing seed.
    #[arg(long)]
    pub(crate) fail_fast: bool,
    /// Go round-robin over the tests until the first failure, then show its last events and why.
    #[arg(long)]
    pub(crate) until_fail: bool,
    /// Share this much wall-clock time (60s, 5m, 1h) round-robin over the tests; no run depends on it.
    #[arg(long, env = "RAFTSIM_TIME", value_name = "DURATION")]
    pub(crate) time: Option<String>,
    /// Run every seed twice; a seed whose two trace hashes differ fails.
    #[arg(long)]
    pub(crate) check_determinism: bool,
    /// Run one shard of the seeds: hash:K/N or slice:K/N (as cargo-nextest).
    #[arg(long, env = "RAFTSIM_PARTITION", value_name = "SPEC", value_parser = clap::value_parser!(String))]
    pub(crate) partition: Option<String>,
    /// Write a header and one JSON line per run to FILE (`-`: stdout, the report then goes to stderr).
    #[arg(long, env = "RAFTSIM_JSON", value_name = "FILE")]
    pub(crate) json: Option<PathBuf>,
    /// The regression file: `TEST SEED` lines, run first [default: the project's sims/regressions.txt].
    #[arg(long, env = "RAFTSIM_REGRESSIONS", value_name = "FILE")]
    pub(crate) regressions: Option<PathBuf>,
    /// Append new failing seeds to the regression file (under a file lock: concurrent sweeps are safe).
    #[arg(long)]
    pub(crate) save_failures: bool,
    /// After the report, shrink each failure group's smallest seed to a fault script and print it
    /// (with --save-failures, also keep it as scripts/TEST-SEED.script beside the regression file).
    #[arg(long)]
    pub(crate) shrink: bool,
    /// Save at most this many new failing seeds (default: every one); the rest are counted.
    #[arg(long, value_name = "N", requires = "save_failures")]
    pub(crate) save_max: Option<u64>,
    /// Skip Raft's invariants after every event (faster; the lab's own checks still run).
    #[arg(long)]
    pub(crate) no_invariants: bool,
    /// Message timing: loopback (default) or labrpc-exact.
    #[arg(long, default_value = "loopback", value_parser = harness::network::parse)]
    pub(crate) network: tester::Profile,
    /// Print how often the runs reached bug-prone situations (split votes, overtaking replies, ...).
    #[arg(long)]
    pub(crate) coverage: bool,
}

#[derive(clap::Args)]
pub(crate) struct ShrinkArgs {
    /// The test, e.g. Figure8Unreliable2C.
    pub(crate) test: String,
    /// The failing seed.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) seed: u64,
    #[command(flatten)]
    pub(crate) raft: RaftArgs,
    /// The most candidate runs (the default budget: the result is the same on any machine).
    #[arg(long, default_value_t = harness::shrink::DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_runs: u64,
    /// Also stop once this much wall-clock time is spent (60s, 5m): the result then depends on the machine's speed.
    #[arg(long, value_name = "DURATION")]
    pub(crate) time: Option<String>,
    /// Write the script to FILE too (it always goes to stdout).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct ReplayArgs {
    /// The test, e.g. InitialElection2A.
    pub(crate) test: String,
    /// The seed: the same seed replays the same run.
    #[arg(long, allow_hyphen_values = true, required_unless_present = "script", conflicts_with = "script")]
    pub(crate) seed: Option<u64>,
    /// Run a fault script (as `raftsim shrink` prints) instead of a seed; unlisted decisions take
    /// their neutral default. A malformed script is one line naming its line and column (exit 2).
    #[arg(long, value_name = "FILE")]
    pub(crate) script: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) raft: RaftArgs,
    /// One column per node (dslogs style).
    #[arg(long, conflicts_with = "format")]
    pub(crate) columns: bool,
    /// The width of the columns in all, in characters.
    #[arg(long, default_value_t = 160, requires = "columns", value_parser = clap::value_parser!(u64).range(40..=1000))]
    pub(crate) width: u64,
    /// Color the output: auto colors only a terminal (and honours NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// Only these nodes, e.g. 0,2.
    #[arg(long, value_name = "LIST")]
    pub(crate) nodes: Option<String>,
    /// Only these topics: timer, vote, role, append, commit, apply, snapshot, drop, net, client, test.
    #[arg(long, value_name = "LIST")]
    pub(crate) topics: Option<String>,
    /// Only events at or after this virtual time (2.5s, 2500ms, 300us).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub(crate) from: Option<String>,
    /// Only events at or before this virtual time.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub(crate) until: Option<String>,
    /// `text` lines, or `json`: one JSON object per event.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Write the whole run as a timeline instead: FILE.json (Perfetto, chrome://tracing) or FILE.svg.
    /// It draws every node and the whole run: --nodes, --topics, --from and --until do not apply.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["nodes", "topics", "from", "until"])]
    pub(crate) timeline: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}
