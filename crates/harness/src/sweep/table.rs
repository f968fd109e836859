//! The end of a sweep: a table per test (passed, failed, virtual time p50
//! and p99, RPCs and bytes per run, seeds per second of one worker, and the digest of every
//! seed's trace hash), then every failing seed kept with its reason and the
//! one-line command that replays it. Every column but seeds/s is the same
//! for any number of workers.

use std::io::{self, Write};

use super::engine::{TestSummary, KEPT_FAILURES};
use crate::Rerun;

fn seconds(ms: Option<u64>) -> String {
    ms.map_or_else(|| "-".to_string(), |ms| format!("{}.{:02}s", ms / 1000, ms % 1000 / 10))
}

/// Writes the table and the failing seeds.
pub fn write(out: &mut dyn Write, summaries: &[TestSummary], rerun: &Rerun) -> io::Result<()> {
    let name_width = summaries.iter().map(|summary| summary.name.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:<name_width$} {:>7} {:>7} {:>9} {:>9} {:>9} {:>10} {:>9}  digest",
        "test", "passed", "failed", "p50 virt", "p99 virt", "RPCs/run", "bytes/run", "seeds/s"
    )?;
    // A test that made no run (a --fail-fast stop, a shard with none of its seeds) has no row.
    for summary in summaries.iter().filter(|summary| summary.runs() > 0) {
        let runs = summary.runs();
        let speed = summary.seeds_per_second().map_or_else(|| "-".to_string(), |rate| format!("{rate:.0}"));
        writeln!(
            out,
            "{:<name_width$} {:>7} {:>7} {:>9} {:>9} {:>9} {:>10} {:>9}  {:016x}",
            summary.name,
            summary.passed,
            summary.failed,
            seconds(summary.virtual_time_ms.quantile(500)),
            seconds(summary.virtual_time_ms.quantile(990)),
            summary.rpcs / runs,
            summary.bytes / runs,
            speed,
            summary.digest
        )?;
    }
    for summary in summaries {
        for failure in &summary.failures {
            writeln!(out, "FAIL {} seed {}: {}: {}", summary.name, failure.seed, failure.check, failure.reason)?;
            for line in &failure.detail {
                writeln!(out, "     {line}")?;
            }
            writeln!(out, "     replay: {}", rerun.command(summary.name, failure.seed))?;
        }
        let unlisted = summary.failed - summary.failures.len() as u64;
        if unlisted > 0 {
            writeln!(
                out,
                "... and {unlisted} more failing seed(s) of {} (the first {KEPT_FAILURES} are listed; --json FILE records every run)",
                summary.name
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::engine::SeedFailure;

    #[test]
    fn the_table_has_a_row_per_test_then_the_failures() {
        let mut summary = TestSummary {
            name: "InitialElection2A",
            passed: 2,
            failed: 1,
            rpcs: 150,
            bytes: 3000,
            ..TestSummary::default()
        };
        for ms in [3000, 3100, 5001] {
            summary.virtual_time_ms.add(ms);
        }
        summary.failures.push(SeedFailure {
            seed: 4,
            position: 4,
            check: tester::Check::Lab(tester::LabCheck::CheckOneLeader),
            reason: "expected one leader, got none".into(),
            detail: Vec::new(),
        });
        let mut out = Vec::new();
        write(&mut out, &[summary], &crate::Rerun::new("raftsim", " --bug fixed-election-timeout")).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "test               passed  failed  p50 virt  p99 virt  RPCs/run  bytes/run   seeds/s  digest"
        );
        assert_eq!(
            lines[1],
            "InitialElection2A       2       1     3.10s     5.00s        50       1000         -  0000000000000000"
        );
        assert_eq!(lines[2], "FAIL InitialElection2A seed 4: checkOneLeader: expected one leader, got none");
        assert_eq!(lines[3], "     replay: raftsim replay InitialElection2A --seed 4 --bug fixed-election-timeout");
    }
}
