//! The first and last lines of a sweep: what is about to run, and after the
//! table how it ended: why it stopped early (`--fail-fast`, `--until-fail`,
//! `--time`, a signal) and how many runs each test got, what was saved and
//! written, the speed, and the counts line `N passed, N failed`.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use super::engine::{Outcome, SweepConfig};
use super::regressions::Regressions;
use crate::interrupt;

/// The line before any run.
pub fn header(tests: usize, config: &SweepConfig, planned: u64, regression_runs: u64) -> String {
    let last = config.start.saturating_add(config.seeds.saturating_sub(1));
    let mut text = format!(
        "sweeping {tests} test(s) × {} seeds ({}..{last}) on {} worker(s)",
        config.seeds, config.start, config.jobs
    );
    if let Some(partition) = config.partition {
        text.push_str(&format!(", partition {partition}"));
    }
    if let Some(bug) = config.raft.bug() {
        text.push_str(&format!(", with planted bug {bug}"));
    } else if config.raft != crate::Selection::core() {
        text.push_str(&format!(", Raft {}", config.raft.name()));
    }
    if config.until_fail {
        text.push_str(", round-robin until the first failure");
    }
    if let Some(budget) = config.time_budget {
        text.push_str(&format!(", round-robin for at most {}s wall", budget.as_secs_f64()));
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

/// What the end of a sweep says.
pub struct Ending<'a> {
    pub config: &'a SweepConfig,
    pub outcome: &'a Outcome,
    pub planned: u64,
    /// (saved, not saved because of `--save-max`), with `--save-failures`.
    pub saved: Option<(usize, u64)>,
    pub regressions: &'a Regressions,
    /// The JSON file, if it was written.
    pub json: Option<&'a Path>,
    pub wall: Duration,
}

/// The lines after the table and the failure groups.
pub fn write(out: &mut dyn Write, ending: &Ending<'_>) -> io::Result<()> {
    let Ending { config, outcome, planned, .. } = ending;
    let passed: u64 = outcome.summaries.iter().map(|summary| summary.passed).sum();
    let failed: u64 = outcome.summaries.iter().map(|summary| summary.failed).sum();
    let made = passed + failed;
    if let Some(signal) = outcome.interrupted {
        writeln!(
            out,
            "interrupted ({}): {made} of {planned} runs made; the table shows them",
            interrupt::name(signal)
        )?;
    } else if outcome.out_of_time {
        let budget = config.time_budget.unwrap_or_default().as_secs_f64();
        writeln!(out, "stopped after the time budget (--time {budget}s): {made} of {planned} runs made")?;
        write_shares(out, outcome)?;
    } else if outcome.stopped_early {
        let flag = if config.until_fail { "--until-fail" } else { "--fail-fast" };
        writeln!(out, "stopped at the first failure ({flag}): {made} of {planned} runs made")?;
    } else if config.until_fail {
        writeln!(out, "no failure in {made} run(s) (--until-fail)")?;
    }
    if let Some((saved, not_saved)) = ending.saved {
        let path = ending.regressions.path().display();
        write!(out, "saved {saved} new failing seed(s) to {path}")?;
        match not_saved {
            0 => writeln!(out)?,
            n => writeln!(out, "; {n} more failing seed(s) not saved (--save-max)")?,
        }
    }
    if let Some(path) = ending.json {
        writeln!(out, "wrote a header and one JSON line per run to {}", path.display())?;
    }
    let rate = made as f64 / ending.wall.as_secs_f64().max(1e-6);
    writeln!(out, "{made} run(s) in {:.2}s wall ({rate:.0} seeds/s)", ending.wall.as_secs_f64())?;
    writeln!(out, "{passed} passed, {failed} failed")
}

/// With `--time`: how many seeds each test got (round-robin keeps them within one).
fn write_shares(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let runs: Vec<u64> = outcome.summaries.iter().map(|summary| summary.runs()).collect();
    let (least, most) = (runs.iter().min().copied().unwrap_or(0), runs.iter().max().copied().unwrap_or(0));
    let share = if least == most { format!("{least}") } else { format!("{least} to {most}") };
    writeln!(out, "every test got {share} seed(s), round-robin")?;
    let left_out: Vec<&str> =
        outcome.summaries.iter().filter(|summary| summary.runs() == 0).map(|summary| summary.name).collect();
    if !left_out.is_empty() {
        writeln!(out, "not run for lack of time: {}", left_out.join(", "))?;
    }
    Ok(())
}
