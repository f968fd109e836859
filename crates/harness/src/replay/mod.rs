//! `raftsim replay TEST --seed N`: run one seed with the tester's typed
//! trace recorded ([`record`]) and show what happened, as readable lines
//! ([`lines`]), one column per node ([`columns`]) or JSON lines ([`json`]),
//! filtered by node, topic and virtual-time window ([`filter`]); or draw it
//! as a timeline ([`model`], then [`perfetto`] or [`svg`]). [`describe`]
//! turns each typed event into the row the text views show. The failing
//! check and its reason are the last lines, just after the [`diagnosis`] of
//! a failure. Two replays of one seed print the same bytes. [`tail`] is the
//! short form: the last events of a failing seed and its reason; [`diff`]
//! names the first event where two runs of one seed part.

pub mod columns;
pub mod describe;
pub mod diagnosis;
pub mod diff;
pub mod filter;
#[cfg(test)]
mod fixtures;
pub mod json;
pub mod lines;
pub mod model;
pub mod perfetto;
pub mod record;
pub mod style;
pub mod svg;
pub mod tail;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sims::TestCase;
use tester::Report;

use crate::output::{self, AtomicFile};
use describe::rows;
use filter::Filter;
use style::Style;
use tester::trace::Traced;

/// How to show the events on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Lines,
    /// One column per node, in this many characters in all.
    Columns {
        width: usize,
    },
    Json,
}

/// What `replay` was asked for.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    pub seed: u64,
    /// The Raft to run (our core by default).
    pub raft: crate::Selection,
    pub view: View,
    pub color: bool,
    pub filter: Filter,
    /// Write a timeline here instead of printing the events.
    pub timeline: Option<PathBuf>,
    /// Run this fault script instead of the seed ([`crate::shrink::script`]).
    pub script: Option<std::sync::Arc<tester::tape::Script>>,
}

/// The kind of timeline file, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timeline {
    Perfetto,
    Svg,
}

fn timeline_kind(path: &Path) -> Result<Timeline, String> {
    match path.extension().and_then(|ext| ext.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Ok(Timeline::Perfetto),
        Some("svg") => Ok(Timeline::Svg),
        _ => Err(format!("--timeline {}: the file name must end in .json (Perfetto) or .svg", path.display())),
    }
}

/// Replays one seed. Returns whether the run passed.
pub fn replay(case: &TestCase, options: &ReplayOptions) -> Result<bool, String> {
    let timeline = match &options.timeline {
        Some(path) => Some((timeline_kind(path)?, AtomicFile::create(path)?)),
        None => None,
    };
    let mut run_options = options.raft.options();
    if let Some(script) = &options.script {
        run_options.decide = tester::tape::Decide::Replay(std::sync::Arc::clone(script));
    }
    let (report, trace) = record::record_run(case, options.seed, &run_options);
    if let Some((kind, file)) = timeline {
        let summary = write_timeline(case, options, &report, &trace, kind, file)?;
        output::to_stdout(|out| {
            writeln!(out, "{summary}")?;
            closing_lines(out, case.name, &report, options.raft.bug())
        })?;
        return Ok(report.passed());
    }
    let rows = rows(&trace);
    let shown = rows.iter().filter(|row| options.filter.keeps(row));
    let servers = case.setup.servers;
    output::to_stdout(|out| match options.view {
        View::Json => {
            let events = trace.iter().zip(&rows).filter(|(_, row)| options.filter.keeps(row));
            json::write(out, events, case.name, servers, &report, options.raft.bug())
        }
        View::Lines => {
            lines::write(out, shown, Style { color: options.color })?;
            diagnosis::write(out, &report, &trace, servers)?;
            closing_lines(out, case.name, &report, options.raft.bug())
        }
        View::Columns { width } => {
            let nodes: Vec<u32> = (0..servers as u32).filter(|n| options.filter.shows_node(*n)).collect();
            columns::Columns::new(nodes, width, Style { color: options.color }).write(out, shown)?;
            diagnosis::write(out, &report, &trace, servers)?;
            closing_lines(out, case.name, &report, options.raft.bug())
        }
    })?;
    Ok(report.passed())
}

fn write_timeline(
    case: &TestCase,
    options: &ReplayOptions,
    report: &Report,
    trace: &[Traced],
    kind: Timeline,
    mut file: AtomicFile,
) -> Result<String, String> {
    let model = model::build(trace, case.setup.servers, report.end_time.micros());
    let bug = options.raft.bug().map(|bug| format!(" · bug {bug}")).unwrap_or_default();
    let title = format!("{} · seed {}{bug}", case.name, options.seed);
    let failure = report.outcome.as_ref().err().map(ToString::to_string);
    let text = match kind {
        Timeline::Perfetto => {
            let outcome = failure.as_ref().map_or_else(|| "PASS".to_string(), |why| format!("FAIL {why}"));
            perfetto::render(&model, &title, &outcome)
        }
        Timeline::Svg => svg::render(&model, &title, failure.as_deref()),
    };
    let path = file.path().display().to_string();
    file.writer().write_all(text.as_bytes()).map_err(|error| format!("cannot write {path}: {error}"))?;
    file.commit()?;
    Ok(format!(
        "timeline: {path} ({} nodes, {} role spans, {} messages, {} dropped)",
        model.servers,
        model.spans.len(),
        model.flows.len(),
        model.drops.len()
    ))
}

/// The run's outcome; when it failed, the failing check and its reason are the last two lines.
pub fn closing_lines(out: &mut dyn Write, test: &str, report: &Report, bug: Option<&str>) -> io::Result<()> {
    let bug = bug.map(|bug| format!(", bug {bug}")).unwrap_or_default();
    let stats = report.stats;
    let numbers = format!(
        "events {}, RPCs {}, bytes {}, trace {:016x}{bug}",
        report.events, stats.rpcs, stats.bytes, report.trace_hash
    );
    let ran = if report.scripted { "script".to_string() } else { format!("seed {}", report.seed) };
    match &report.outcome {
        Ok(()) => writeln!(out, "--- PASS: {test} ({ran}) at {} ({numbers})", report.end_time),
        Err(failure) => {
            writeln!(out, "--- FAIL: {test} ({ran}) at {} ({numbers})", report.end_time)?;
            writeln!(out, "check:  {}", failure.check)?;
            writeln!(out, "reason: {}", failure.reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_are_json_or_svg() {
        assert_eq!(timeline_kind(Path::new("a/run.json")), Ok(Timeline::Perfetto));
        assert_eq!(timeline_kind(Path::new("run.SVG")), Ok(Timeline::Svg));
        assert!(timeline_kind(Path::new("run.png")).unwrap_err().contains(".json (Perfetto) or .svg"));
    }
}
