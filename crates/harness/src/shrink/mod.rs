//! `raftsim shrink TEST --seed N`: from a failing seed, a much smaller fault
//! script ([`script`]) that fails the same check (the same [`tester::Check`]:
//! the same lab check, the same invariant). The seed's run is recorded as a
//! decision tape ([`tester::tape`]); its non-default decisions, one unit per
//! message, incarnation or scenario draw, are cut down by delta debugging
//! ([`ddmin`]) and then simplified one at a time (each site back to its
//! default, each number halved). Every candidate is a full run with every
//! check, so the result is a real failing run. Deterministic: the candidates
//! and their order depend only on the input; the run budget is a count of
//! candidates, and a wall-clock `--time` budget only stops the search early
//! (so with `--time` the result can depend on the machine's speed).

pub mod annotate;
pub mod ddmin;
pub mod script;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sims::TestCase;
use tester::tape::{Decide, Script, BITS, NODE_SEED};
use tester::trace::TraceEvent;
use tester::{Check, Failure, Options, Report};

use crate::Selection;
use ddmin::{ddmin, Verdict};
use script::{Header, Stream};

/// The default budget: this many candidate runs.
pub const DEFAULT_MAX_RUNS: u64 = 5000;

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most candidate runs.
    pub max_runs: u64,
    /// Stop early once this much wall-clock time is spent (machine-dependent).
    pub time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_runs: DEFAULT_MAX_RUNS, time: None }
    }
}

/// A run's size: what a person replaying it faces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Written decisions (script lines).
    pub decisions: usize,
    /// Of which network decisions (messages touched).
    pub message_decisions: usize,
    /// Events the runtime handled.
    pub events: u64,
    /// Faults the run made (connect, disconnect, crash, restart, network mode).
    pub faults: usize,
    /// Messages sent.
    pub messages: usize,
    /// Client Starts.
    pub starts: usize,
}

impl Size {
    /// The size of the run `report` (recorded) made from `script` (empty for a run not made from one).
    pub fn of(script: &Script, report: &Report) -> Size {
        let trace = report.trace.as_deref().unwrap_or(&[]);
        let count = |keep: fn(&TraceEvent) -> bool| trace.iter().filter(|traced| keep(&traced.event)).count();
        Size {
            decisions: script.len(),
            message_decisions: script.net.contexts(),
            events: report.events,
            faults: count(|event| matches!(event, TraceEvent::Fault(_))),
            messages: count(|event| matches!(event, TraceEvent::Sent { .. })),
            starts: count(|event| matches!(event, TraceEvent::Started { .. })),
        }
    }
}

/// What a shrink found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The check both runs fail.
    pub check: Check,
    pub original_failure: Failure,
    pub failure: Failure,
    pub original: Size,
    pub shrunk: Size,
    /// The shrunk script, commented, ready to save and replay.
    pub text: String,
    /// Candidate runs made.
    pub runs: u64,
    /// Whether the budget ran out before the search ended.
    pub budget_spent: bool,
    pub trace_hash: u64,
}

/// One unit of the search: all the decisions of one message, incarnation or scenario draw.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unit {
    stream: Stream,
    context: u64,
    sites: Vec<(String, u64)>,
}

fn units_of(script: &Script) -> Vec<Unit> {
    let mut units = Vec::new();
    for (stream, decisions) in
        [(Stream::Node, &script.nodes), (Stream::Draw, &script.scenario), (Stream::Msg, &script.net)]
    {
        for (context, sites) in decisions.iter() {
            units.push(Unit { stream, context, sites: sites.to_vec() });
        }
    }
    units
}

fn script_of(units: &[Unit]) -> Script {
    let mut script = Script::default();
    for unit in units {
        let decisions = match unit.stream {
            Stream::Msg => &mut script.net,
            Stream::Node => &mut script.nodes,
            Stream::Draw => &mut script.scenario,
        };
        for (site, value) in &unit.sites {
            decisions.set(unit.context, site, *value);
        }
    }
    script
}

/// Runs `script` on `case` (no seed), with every check on.
pub fn run_script(case: &TestCase, options: &Options, script: Script, record: bool) -> Report {
    let script = Arc::new(script);
    let decide = if record { Decide::ReplayRecord(script) } else { Decide::Replay(script) };
    sims::run_test(case, 0, &Options { decide, record, ..options.clone() })
}

/// The candidate runner: counts runs, keeps to the budget, says whether a run fails the target check.
struct Search<'a> {
    case: &'a TestCase,
    options: Options,
    check: Check,
    limits: Limits,
    began: Instant,
    runs: u64,
    budget_spent: bool,
    progress: &'a mut dyn FnMut(&str),
}

impl Search<'_> {
    /// Runs the candidate; a failing one hands back the decisions its run drew
    /// (those never reached, e.g. after the failure, are gone).
    fn try_units(&mut self, units: &[Unit]) -> Verdict<Unit> {
        #[allow(clippy::disallowed_methods)] // --time only stops the search early
        let late = self.limits.time.is_some_and(|budget| self.began.elapsed() >= budget);
        if self.runs >= self.limits.max_runs || late {
            self.budget_spent = true;
            return Verdict::Stop;
        }
        self.runs += 1;
        let mut options = self.options.clone();
        options.decide = Decide::ReplayRecord(Arc::new(script_of(units)));
        let report = sims::run_test(self.case, 0, &options);
        let fails = report.outcome.as_ref().err().is_some_and(|failure| failure.check == self.check);
        let used = report.tape.as_ref().map(|tape| units_of(&Script::from_tape(tape)));
        if fails {
            let left = used.as_ref().map_or(units.len(), Vec::len);
            (self.progress)(&format!("shrink: run {}: {left} decisions still fail {}", self.runs, self.check));
        } else if self.runs.is_multiple_of(100) {
            (self.progress)(&format!("shrink: run {} ...", self.runs));
        }
        if fails {
            Verdict::Fails(used)
        } else {
            Verdict::Passes
        }
    }

    /// Whole kinds of decision at once (every node seed, every command value, every
    /// message's fate, ...): often none of one kind matters, and one run says so.
    fn drop_classes(&mut self, mut units: Vec<Unit>) -> Vec<Unit> {
        let class = |unit: &Unit| (unit.stream.keyword(), unit.sites.first().map(|(site, _)| site.clone()));
        let mut classes: Vec<_> = units.iter().map(class).collect();
        classes.sort();
        classes.dedup();
        // First a stream at once, then each kind of first site within it.
        let streams: Vec<&str> = classes.iter().map(|(stream, _)| *stream).collect();
        for stream in streams.iter().copied().collect::<std::collections::BTreeSet<_>>() {
            let rest: Vec<Unit> = units.iter().filter(|unit| unit.stream.keyword() != stream).cloned().collect();
            if rest.len() < units.len() {
                if let Verdict::Fails(used) = self.try_units(&rest) {
                    units = used.unwrap_or(rest);
                }
            }
        }
        for kind in classes {
            let rest: Vec<Unit> = units.iter().filter(|unit| class(unit) != kind).cloned().collect();
            if rest.len() < units.len() {
                if let Verdict::Fails(used) = self.try_units(&rest) {
                    units = used.unwrap_or(rest);
                }
            }
        }
        units
    }

    /// One at a time: each site of each unit back to its default, then each number halved.
    fn simplify(&mut self, mut units: Vec<Unit>) -> Vec<Unit> {
        let mut u = 0;
        while u < units.len() {
            let mut s = 0;
            let mut unit_gone = false;
            while s < units[u].sites.len() {
                let mut candidate = units.clone();
                candidate[u].sites.remove(s);
                let empty = candidate[u].sites.is_empty();
                if empty {
                    candidate.remove(u);
                }
                match self.try_units(&candidate) {
                    Verdict::Fails(_) => {
                        units = candidate;
                        if empty {
                            unit_gone = true;
                            break;
                        }
                        continue;
                    }
                    Verdict::Stop => return units,
                    Verdict::Passes => {}
                }
                let halvable = ![NODE_SEED, BITS].contains(&units[u].sites[s].0.as_str());
                while halvable && units[u].sites[s].1 > 1 {
                    let mut candidate = units.clone();
                    candidate[u].sites[s].1 /= 2;
                    match self.try_units(&candidate) {
                        Verdict::Fails(_) => units = candidate,
                        Verdict::Stop => return units,
                        Verdict::Passes => break,
                    }
                }
                s += 1;
            }
            if !unit_gone {
                u += 1;
            }
        }
        units
    }
}

/// Shrinks seed `seed` of `case` under `raft`; `progress` hears about each step.
pub fn shrink(
    case: &TestCase,
    raft: &Selection,
    seed: u64,
    limits: Limits,
    progress: &mut dyn FnMut(&str),
) -> Result<Shrunk, String> {
    let options = raft.options();
    let original = sims::run_test(case, seed, &Options { decide: Decide::Record, record: true, ..options.clone() });
    let Err(original_failure) = original.outcome.clone() else {
        return Err(format!("{} seed {seed} passes: nothing to shrink", case.name));
    };
    let check = original_failure.check;
    let tape = original.tape.clone().unwrap_or_default();
    let whole = Script::from_tape(&tape);
    let original_size = Size::of(&whole, &original);
    progress(&format!(
        "shrink: {} seed {seed} fails {check} after {} events; {} decisions to shrink",
        case.name, original.events, original_size.decisions
    ));
    #[allow(clippy::disallowed_methods)] // --time only stops the search early
    let began = Instant::now();
    let mut search =
        Search { case, options: options.clone(), check, limits, began, runs: 0, budget_spent: false, progress };
    // The whole tape replays the seed's run exactly: shrinking starts from it.
    // No decision at all (every one at its default) is tried first: the best answer, in one run.
    let units = match search.try_units(&[]) {
        Verdict::Fails(_) => Vec::new(),
        _ => {
            let units = search.drop_classes(units_of(&whole));
            let units = ddmin(units, &mut |units: &[Unit]| search.try_units(units));
            search.simplify(units)
        }
    };
    let (runs, budget_spent) = (search.runs, search.budget_spent);
    // The last run again, recorded: its drawn decisions, commented, are the script.
    let last = run_script(case, &options, script_of(&units), true);
    let Err(failure) = last.outcome.clone() else {
        return Err("internal error: the shrunk script no longer fails".into());
    };
    let last_tape = last.tape.clone().unwrap_or_default();
    let effective = Script::from_tape(&last_tape);
    let shrunk_size = Size::of(&effective, &last);
    let header = Header {
        test: Some(case.name.to_string()),
        bug: raft.bug().map(str::to_string),
        raft: raft.raft_name().map(str::to_string),
    };
    let flags = raft.flags();
    let preamble = vec![
        format!("raftsim shrink {} --seed {seed}{flags}: {runs} runs", case.name),
        format!("fails {check}: {}", failure.reason),
        format!("original: {}", size_line(&original_size)),
        format!("shrunk:   {}", size_line(&shrunk_size)),
        format!("replay:   raftsim replay {} --script FILE{flags}", case.name),
        "every unlisted decision takes its neutral default (see raftsim help replay)".to_string(),
    ];
    let text = annotate::write(&header, &last_tape, last.trace.as_deref().unwrap_or(&[]), &preamble);
    Ok(Shrunk {
        check,
        original_failure,
        failure,
        original: original_size,
        shrunk: shrunk_size,
        text,
        runs,
        budget_spent,
        trace_hash: last.trace_hash,
    })
}

/// Reads the script at `path` for `case`: a one-line error (with line and column) if it is malformed
/// or was made for another test.
pub fn load(path: &std::path::Path, case: &TestCase) -> Result<script::Parsed, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read script {shown}: {error}"))?;
    let parsed = script::parse(&text).map_err(|error| format!("script {shown}: {error}"))?;
    match &parsed.header.test {
        Some(test) if test != case.name => {
            Err(format!("script {shown} was made for {test}, not {}: replay it with that test", case.name))
        }
        _ => Ok(parsed),
    }
}

/// The Raft a script runs: the one the flags chose, or (when they chose none) the one its header names.
pub fn selection_for(header: &Header, flags: Option<Selection>, rafts: &crate::Rafts) -> Result<Selection, String> {
    if let Some(selection) = flags {
        return Ok(selection);
    }
    let bug = header.bug.as_deref().map(crate::bugs::lookup).transpose()?;
    rafts.select(header.raft.as_deref(), None, bug)
}

/// `12 decisions (3 messages), 4567 events, 2 faults, 310 messages, 5 starts`.
pub fn size_line(size: &Size) -> String {
    format!(
        "{} decisions ({} on messages), {} events, {} faults, {} messages, {} starts",
        size.decisions, size.message_decisions, size.events, size.faults, size.messages, size.starts
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(case: &TestCase, seed: u64) -> Report {
        sims::run_test(case, seed, &Options { decide: Decide::Record, record: true, ..sims::core_options() })
    }

    #[test]
    fn a_written_script_reads_back_and_replays_the_run() {
        let case = sims::find("Figure82C").unwrap();
        let original = record(case, 3);
        let tape = original.tape.as_ref().unwrap();
        let header = Header { test: Some(case.name.to_string()), ..Header::default() };
        let text = annotate::write(&header, tape, original.trace.as_deref().unwrap(), &["made by a test".into()]);
        let parsed = script::parse(&text).unwrap();
        assert_eq!(parsed.header.test.as_deref(), Some("Figure82C"));
        assert_eq!(parsed.script, Script::from_tape(tape));
        let replayed = run_script(case, &sims::core_options(), parsed.script, false);
        assert_eq!(replayed.trace_hash, original.trace_hash);
        assert!(text.contains("# made by a test\n") && text.contains("AppendEntries"), "commented");
    }

    /// The script of seed 3 of Figure82C with `edit` applied to its text, and that script's run.
    fn edited(edit: impl Fn(&str) -> Option<String>) -> (Report, Report) {
        let case = sims::find("Figure82C").unwrap();
        let original = record(case, 3);
        let text = annotate::write(
            &Header::default(),
            original.tape.as_ref().unwrap(),
            original.trace.as_deref().unwrap(),
            &[],
        );
        let mut changed = 0;
        let edited: String = text
            .lines()
            .filter_map(|line| match edit(line) {
                Some(new) if new != line => {
                    changed += 1;
                    (!new.is_empty()).then_some(new)
                }
                _ => Some(line.to_string()),
            })
            .map(|line| line + "\n")
            .collect();
        assert_eq!(changed, 1, "one line edited");
        let script = script::parse(&edited).unwrap().script;
        let once = run_script(case, &sims::core_options(), script.clone(), false);
        let twice = run_script(case, &sims::core_options(), script, false);
        assert_eq!(once.trace_hash, twice.trace_hash, "an edited script replays deterministically");
        (original, once)
    }

    #[test]
    fn a_hand_edited_script_with_a_delay_removed_replays() {
        // The first slow message's extra latency removed: the rest of the script stands.
        let first = std::cell::Cell::new(true);
        let (original, edited) = edited(|line| {
            if !(line.starts_with("msg ") && line.contains(" slow ") && first.get()) {
                return None;
            }
            first.set(false);
            let kept: Vec<&str> = line
                .split('#')
                .next()
                .unwrap()
                .split_whitespace()
                .filter(|word| *word != "slow" && !word.starts_with("slow-us="))
                .collect();
            Some(kept.join(" "))
        });
        assert!(edited.passed(), "{:?}", edited.outcome);
        assert_ne!(edited.trace_hash, original.trace_hash, "the edit changed the run");
    }

    #[test]
    fn a_hand_edited_script_with_a_crash_moved_replays() {
        // Figure82C crashes each round's leader after a pause of U[0,13) ms: the
        // first such pause made longer moves that crash (and the rest of the run) later.
        let first = std::cell::Cell::new(true);
        let (original, edited) = edited(|line| {
            if !(line.starts_with("draw ") && line.contains("U[0,13)") && first.get()) {
                return None;
            }
            first.set(false);
            let code = line.split('#').next().unwrap().trim();
            let (head, value) = code.rsplit_once("value=").unwrap();
            let later = if value == "12" { 11 } else { 12 };
            Some(format!("{head}value={later}"))
        });
        assert!(edited.passed(), "{:?}", edited.outcome);
        assert_ne!(edited.trace_hash, original.trace_hash, "the crash moved");
    }

    #[test]
    fn a_passing_seed_has_nothing_to_shrink() {
        let case = sims::find("InitialElection2A").unwrap();
        let error = shrink(case, &Selection::core(), 1, Limits::default(), &mut |_| {}).unwrap_err();
        assert!(error.contains("passes: nothing to shrink"), "{error}");
    }

    #[cfg(feature = "planted-bugs")]
    #[test]
    fn a_planted_bug_shrinks_to_a_script_that_fails_the_same_check_deterministically() {
        let case = sims::find("Figure8Unreliable2C").unwrap();
        let raft = Selection::core_with(Some("commit-beyond-verified")).unwrap();
        let limits = Limits { max_runs: 300, time: None };
        let mut lines = Vec::new();
        let shrunk = shrink(case, &raft, 9, limits, &mut |line| lines.push(line.to_string())).unwrap();
        assert_eq!(shrunk.failure.check, shrunk.original_failure.check);
        assert!(
            shrunk.shrunk.decisions * 10 < shrunk.original.decisions,
            "{:?} vs {:?}",
            shrunk.shrunk,
            shrunk.original
        );
        assert!(!lines.is_empty(), "progress was told");
        // The printed script replays to the same failure.
        let parsed = script::parse(&shrunk.text).unwrap();
        assert_eq!(parsed.header.bug.as_deref(), Some("commit-beyond-verified"));
        let replayed = run_script(case, &raft.options(), parsed.script, false);
        assert_eq!(replayed.outcome.as_ref().unwrap_err().check, shrunk.check);
        assert_eq!(replayed.trace_hash, shrunk.trace_hash);
        // The same input gives the same script.
        let again = shrink(case, &raft, 9, limits, &mut |_| {}).unwrap();
        assert_eq!(again.text, shrunk.text);
    }
}
