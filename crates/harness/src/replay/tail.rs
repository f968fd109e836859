//! A failing seed, explained in a screenful: the run is recorded again, and
//! its last events, the failing check and its reason are printed, then the
//! diagnosis. `sweep --until-fail` ends with this; the
//! full trace is one `raftsim replay` away.

use std::io::{self, Write};

use sims::TestCase;
use tester::trace::Traced;
use tester::Report;

use super::describe::rows;
use super::style::Style;
use super::{closing_lines, diagnosis, lines};

/// How many events before the end the tail shows.
pub const TAIL_EVENTS: usize = 30;

/// Records one seed again and returns its report and typed trace.
pub fn record(case: &TestCase, seed: u64, raft: &crate::Selection) -> (Report, Vec<Traced>) {
    super::record::record_run(case, seed, &raft.options())
}

/// Writes the last `TAIL_EVENTS` events (quiet steps aside), the closing lines and the diagnosis.
pub fn write(
    out: &mut dyn Write,
    case: &TestCase,
    report: &Report,
    trace: &[Traced],
    raft: &crate::Selection,
) -> io::Result<()> {
    let test = case.name;
    let shown: Vec<_> = rows(trace).into_iter().filter(|row| !row.quiet).collect();
    let skipped = shown.len().saturating_sub(TAIL_EVENTS);
    if skipped > 0 {
        writeln!(out, "... {skipped} earlier event(s); `{}` shows them all", raft.replay_command(test, report.seed))?;
    }
    lines::write(out, shown[skipped..].iter(), Style { color: false })?;
    closing_lines(out, test, report, raft.bug())?;
    diagnosis::write(out, report, trace, case.setup.servers)
}
