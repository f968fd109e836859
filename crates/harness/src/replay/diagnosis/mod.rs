//! The diagnosis printed with a failing check: a few lines computed from the
//! run's recorded events that say, in Raft's terms, what led up to it.
//!
//! - [`elections`]: for a missing leader (or a stall), the elections of the
//!   window before the failure, per term: who stood, who voted for whom, why
//!   votes were denied, who won (§5.2);
//! - [`entries`]: for a failure that names a log index (agreement, apply, a
//!   safety invariant), who wrote an entry there, in which term, who committed
//!   it and when, and what each server applied there (§5.3, §5.4);
//! - [`nodes`]: each server at the failure: role, term, applied index, and whether it was disconnected or crashed, and since when.
//!
//! It reads only the records, so it is as deterministic as the replay.

pub mod elections;
pub mod entries;
pub mod nodes;

use std::io::{self, Write};

use tester::{Check, LabCheck, Report};

use super::record::{Record, Value};

/// How far back, in virtual time, the diagnosis looks.
pub const WINDOW_US: u64 = 5_000_000;

/// The diagnosis of a failed run, or nothing for a passing one.
pub fn diagnose(report: &Report, records: &[Record], servers: usize) -> Vec<String> {
    let Err(failure) = &report.outcome else { return Vec::new() };
    let end_us = report.end_time.micros();
    let since_us = end_us.saturating_sub(WINDOW_US);
    let mut text = vec![format!(
        "diagnosis ({} to {}, the events before the failure; `replay` shows them all):",
        sim::Time::from_micros(since_us),
        report.end_time
    )];
    let index = entries::index_in(&failure.reason);
    let leader_trouble = matches!(
        failure.check,
        Check::Lab(LabCheck::CheckOneLeader | LabCheck::One | LabCheck::Wait) | Check::Liveness | Check::TimeLimit
    ) || failure.reason.contains("leader");
    if leader_trouble || index.is_none() {
        text.extend(elections::describe(records, servers, since_us));
    }
    if let Some(index) = index {
        text.extend(entries::describe(records, index));
    }
    text.extend(nodes::describe(records, servers));
    text
}

/// Writes the diagnosis lines.
pub fn write(out: &mut dyn Write, report: &Report, records: &[Record], servers: usize) -> io::Result<()> {
    for line in diagnose(report, records, servers) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A field as a number.
fn number(record: &Record, name: &str) -> Option<u64> {
    match record.field(name)? {
        Value::U64(value) => Some(*value),
        Value::Str(text) => text.parse().ok(),
        _ => None,
    }
}

/// Virtual time as the diagnosis shows it: `3.21s`.
fn at(time_us: u64) -> String {
    format!("{}.{:02}s", time_us / 1_000_000, time_us % 1_000_000 / 10_000)
}
