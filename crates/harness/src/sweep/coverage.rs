//! `sweep --coverage`: how often the runs of each test reached the
//! situations Raft bugs live in (split votes, several candidates in a term,
//! a leader lost with uncommitted entries, stale-term messages, overtaking
//! replies, a crash between a persist and a send, a late or duplicated
//! InstallSnapshot, a truncated suffix). The tester counts them during every
//! run ([`tester::Coverage`] in each Report); this module tallies them per
//! test, prints the table, and says which situations a test never reached.
//! A nemesis scenario exists to reach them all: one that reaches a situation
//! in fewer than 1% of its runs is a scenario bug, and the table says so.

use std::collections::BTreeMap;
use std::io::{self, Write};

use tester::{Coverage, Situation};

use super::engine::TestSummary;

/// Below this share of runs (per mille), a nemesis scenario misses a situation.
pub const NEMESIS_FLOOR_PER_MILLE: u64 = 10;

/// One test's coverage over its runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageTally {
    pub runs: u64,
    /// Runs that reached each situation at least once.
    reached: [u64; 8],
    /// Times each situation was reached, over all runs.
    total: [u64; 8],
}

impl CoverageTally {
    pub fn add(&mut self, coverage: &Coverage) {
        self.runs += 1;
        for (slot, (_, count)) in coverage.iter().enumerate() {
            self.reached[slot] += u64::from(count > 0);
            self.total[slot] += count;
        }
    }

    pub fn merge(&mut self, other: &CoverageTally) {
        self.runs += other.runs;
        for slot in 0..8 {
            self.reached[slot] += other.reached[slot];
            self.total[slot] += other.total[slot];
        }
    }

    /// Runs that reached `situation`.
    pub fn reached(&self, situation: Situation) -> u64 {
        self.reached[slot(situation)]
    }

    /// Times `situation` was reached over all runs.
    pub fn total(&self, situation: Situation) -> u64 {
        self.total[slot(situation)]
    }

    /// The situations reached by fewer than `floor_per_mille` of the runs.
    pub fn missed(&self, floor_per_mille: u64) -> Vec<Situation> {
        Situation::ALL
            .into_iter()
            .filter(|&situation| self.reached(situation) * 1000 < floor_per_mille.max(1) * self.runs.max(1))
            .collect()
    }
}

fn slot(situation: Situation) -> usize {
    Situation::ALL.iter().position(|&s| s == situation).expect("every situation is listed")
}

/// A run's coverage as a JSON object: situation name → count.
pub fn json(coverage: &Coverage) -> BTreeMap<&'static str, u64> {
    coverage.iter().map(|(situation, count)| (situation.name(), count)).collect()
}

/// Short column heads, in [`Situation::ALL`]'s order.
const HEADS: [&str; 8] = ["split", "cand>1", "ldr-lost", "stale", "overtake", "crash-p/s", "snap-late", "truncate"];

fn percent(part: u64, whole: u64) -> String {
    if part == 0 {
        return "-".to_string();
    }
    let tenths = part * 1000 / whole.max(1);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// Writes the coverage table (share of runs reaching each situation) and what each test missed.
pub fn write(out: &mut dyn Write, summaries: &[TestSummary]) -> io::Result<()> {
    let summaries: Vec<&TestSummary> = summaries.iter().filter(|summary| summary.coverage.runs > 0).collect();
    let name_width = summaries.iter().map(|summary| summary.name.len()).max().unwrap_or(4).max(4);
    writeln!(out, "coverage: share of runs that reached each situation (- never)")?;
    write!(out, "{:<name_width$} {:>7}", "test", "runs")?;
    for head in HEADS {
        write!(out, " {head:>9}")?;
    }
    writeln!(out)?;
    for summary in &summaries {
        let tally = &summary.coverage;
        write!(out, "{:<name_width$} {:>7}", summary.name, tally.runs)?;
        for situation in Situation::ALL {
            write!(out, " {:>9}", percent(tally.reached(situation), tally.runs))?;
        }
        writeln!(out)?;
    }
    for (head, situation) in HEADS.iter().zip(Situation::ALL) {
        writeln!(out, "  {head:<9} {}: {}", situation.name(), situation.description())?;
    }
    for summary in &summaries {
        let nemesis = summary.name.starts_with("Nemesis");
        let missed = summary.coverage.missed(if nemesis { NEMESIS_FLOOR_PER_MILLE } else { 1 });
        if missed.is_empty() {
            continue;
        }
        let names: Vec<&str> = missed.iter().map(|situation| situation.name()).collect();
        if nemesis {
            writeln!(out, "SCENARIO BUG: {} reached in < 1% of runs: {}", summary.name, names.join(", "))?;
        } else {
            writeln!(out, "{} never reached: {}", summary.name, names.join(", "))?;
        }
    }
    Ok(())
}
