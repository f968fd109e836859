//! The diagnosis printed with a failing check: a few lines computed from the
//! run's typed trace and the structured failure that say, in Raft's terms,
//! what led up to it.
//!
//! - [`elections`]: for a missing leader (or a stall, or a broken election
//!   rule), the elections of the window before the failure, per term: who
//!   stood, who voted for whom, why votes were denied, who won (§5.2);
//! - [`entries`]: for a failure that concerns a log index (`failure.index`:
//!   agreement, apply, a safety invariant), who wrote an entry there, in
//!   which term, who committed it and when, and what each server applied
//!   there (§5.3, §5.4);
//! - [`nodes`]: each server at the failure, from its last recorded state:
//!   role, term, applied index, and whether it was disconnected or crashed,
//!   and since when.
//!
//! It reads only the trace and the failure's fields (never its prose), so
//! it is as deterministic as the replay.

pub mod elections;
pub mod entries;
pub mod nodes;

use std::io::{self, Write};

use tester::trace::Traced;
use tester::{Check, Failure, Invariant, LabCheck, Report};

/// How far back, in virtual time, the diagnosis looks.
pub const WINDOW_US: u64 = 5_000_000;

/// Does this check concern who leads (so the elections explain it)?
fn about_leaders(check: Check) -> bool {
    matches!(
        check,
        Check::Lab(
            LabCheck::CheckOneLeader | LabCheck::CheckNoLeader | LabCheck::CheckTerms | LabCheck::One | LabCheck::Wait
        ) | Check::Liveness
            | Check::TimeLimit
            | Check::Invariant(Invariant::ElectionSafety | Invariant::LeaderCompleteness | Invariant::TermRule)
    )
}

/// What the failure concerns, from its fields: `index 28, term 66, n2 n3`.
fn concerns(failure: &Failure) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(index) = failure.index {
        parts.push(format!("index {index}"));
    }
    if let Some(term) = failure.term {
        parts.push(format!("term {term}"));
    }
    if !failure.nodes.is_empty() {
        parts.push(failure.nodes.iter().map(|node| format!("n{node}")).collect::<Vec<_>>().join(" "));
    }
    (!parts.is_empty()).then(|| format!("the failure concerns {} ({})", parts.join(", "), failure.check.kind()))
}

/// The diagnosis of a failed run, or nothing for a passing one.
pub fn diagnose(report: &Report, trace: &[Traced], servers: usize) -> Vec<String> {
    let Err(failure) = &report.outcome else { return Vec::new() };
    let end_us = report.end_time.micros();
    let since_us = end_us.saturating_sub(WINDOW_US);
    let mut text = vec![format!(
        "diagnosis ({} to {}, the events before the failure; `replay` shows them all):",
        sim::Time::from_micros(since_us),
        report.end_time
    )];
    text.extend(concerns(failure));
    if about_leaders(failure.check) || failure.index.is_none() {
        text.extend(elections::describe(trace, servers, since_us));
    }
    if let Some(index) = failure.index {
        text.extend(entries::describe(trace, index));
    }
    text.extend(nodes::describe(trace, servers));
    text
}

/// Writes the diagnosis lines.
pub fn write(out: &mut dyn Write, report: &Report, trace: &[Traced], servers: usize) -> io::Result<()> {
    for line in diagnose(report, trace, servers) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Virtual time as the diagnosis shows it: `3.21s`.
fn at(time_us: u64) -> String {
    format!("{}.{:02}s", time_us / 1_000_000, time_us % 1_000_000 / 10_000)
}
