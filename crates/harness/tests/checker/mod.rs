//! A checker written as if outside the project: it reads only the JSON
//! lines of `replay --format json` (as `serde_json::Value`, no raftsim
//! type) and verifies four of Raft's properties from them:
//!
//! - Election Safety (§5.2): at most one leader per term, from the steps' `after` states;
//! - State Machine Safety (§5.4.3): no two `applied` events at one index with different commands;
//! - Log Matching (§5.3), by content: each node's log is rebuilt from its
//!   `log_changed` events (a `restored` node starts again; entries at or
//!   below a step's `snapshot_index` are compacted away), and whenever two
//!   logs hold an entry with the same index and term, every entry up to it
//!   that both still hold must be equal, term and command;
//! - Figure 2's term rule: a step that handled a delivered message whose
//!   header carried term T leaves the receiver in a term >= T.

#![allow(dead_code)] // each test file uses some of it

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// Which property an event broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Property {
    ElectionSafety,
    StateMachineSafety,
    LogMatching,
    TermRule,
}

/// One broken property: at which event (0-based line), and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub property: Property,
    pub line: usize,
    /// The `event` of that line (`step`, `applied`, `log_changed`).
    pub event: String,
    pub facts: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} at line {} ({}): {}", self.property, self.line + 1, self.event, self.facts)
    }
}

/// What the checker found, and the run's closing `outcome` object.
#[derive(Debug)]
pub struct Verdict {
    pub violations: Vec<Violation>,
    pub outcome: Value,
    /// The line of the trace's `failed` event, if the run failed there.
    pub failed_line: Option<usize>,
    /// How many of each event kind it read.
    pub seen: BTreeMap<String, usize>,
}

impl Verdict {
    pub fn first(&self, property: Property) -> Option<&Violation> {
        self.violations.iter().find(|violation| violation.property == property)
    }
}

type Entry = (u64, Value);

#[derive(Default)]
struct Checker {
    leaders: BTreeMap<u64, u64>,
    applied: BTreeMap<u64, (Value, u64)>,
    logs: BTreeMap<u64, BTreeMap<u64, Entry>>,
    message_terms: BTreeMap<u64, Option<u64>>,
    violations: Vec<Violation>,
    line: usize,
    event: String,
}

fn number(value: &Value, key: &str) -> u64 {
    value[key].as_u64().unwrap_or_else(|| panic!("`{key}` is a number in {value}"))
}

impl Checker {
    fn broke(&mut self, property: Property, facts: String) {
        self.violations.push(Violation { property, line: self.line, event: self.event.clone(), facts });
    }

    fn event(&mut self, event: &Value) {
        match event["event"].as_str().expect("every line has an event") {
            "sent" => {
                self.message_terms.insert(number(event, "id"), event["term"].as_u64());
            }
            "step" => self.step(event),
            "restored" => {
                let node = number(event, "node");
                self.logs.insert(node, BTreeMap::new());
            }
            "log_changed" => self.log_changed(event),
            "applied" => self.applied(event),
            _ => {}
        }
    }

    fn step(&mut self, event: &Value) {
        let node = number(event, "node");
        let after = &event["after"];
        let term = number(after, "term");
        if after["leader"] == true {
            match self.leaders.get(&term) {
                Some(&other) if other != node => {
                    self.broke(Property::ElectionSafety, format!("term {term} has two leaders: n{other} and n{node}"))
                }
                Some(_) => {}
                None => {
                    self.leaders.insert(term, node);
                }
            }
        }
        if let Some(id) = event["input"]["message"].as_u64() {
            let carried = self.message_terms.get(&id).copied().flatten();
            if let Some(carried) = carried.filter(|carried| term < *carried) {
                self.broke(
                    Property::TermRule,
                    format!("n{node} handled message #{id} of term {carried} and stayed in term {term}"),
                );
            }
        }
        if let Some(floor) = after["snapshot_index"].as_u64() {
            let log = self.logs.entry(node).or_default();
            *log = log.split_off(&(floor + 1));
        }
    }

    fn log_changed(&mut self, event: &Value) {
        let node = number(event, "node");
        let log = self.logs.entry(node).or_default();
        if let Some(from) = event["truncated_from"].as_u64() {
            log.split_off(&from);
        }
        let appended = event["appended"].as_array().expect("appended is a list");
        if let Some(first) = appended.first() {
            log.split_off(&number(first, "index"));
        }
        for entry in appended {
            log.insert(number(entry, "index"), (number(entry, "term"), entry["command"].clone()));
        }
        let others: Vec<u64> = self.logs.keys().copied().filter(|other| *other != node).collect();
        for other in others {
            if let Some(facts) = mismatch(&self.logs[&node], &self.logs[&other]) {
                self.broke(Property::LogMatching, format!("n{node} and n{other}: {facts}"));
            }
        }
    }

    fn applied(&mut self, event: &Value) {
        let (node, index) = (number(event, "node"), number(event, "index"));
        let command = event["command"].clone();
        match self.applied.get(&index) {
            Some((known, first)) if *known != command => {
                let facts = format!("n{first} applied {known} and n{node} applied {command} at index {index}");
                self.broke(Property::StateMachineSafety, facts);
            }
            Some(_) => {}
            None => {
                self.applied.insert(index, (command, node));
            }
        }
    }
}

/// Log Matching between two logs: the highest index where both hold an entry
/// of the same term, then every entry up to it that both hold.
fn mismatch(a: &BTreeMap<u64, Entry>, b: &BTreeMap<u64, Entry>) -> Option<String> {
    let shared = a.iter().rev().find(|(index, (term, _))| b.get(index).is_some_and(|(other, _)| other == term))?;
    let upto = *shared.0;
    for (index, entry) in a.range(..=upto) {
        if let Some(other) = b.get(index).filter(|other| *other != entry) {
            return Some(format!(
                "both hold a term-{} entry at index {upto}, but at index {index} one holds t{}:{} and the other t{}:{}",
                shared.1 .0, entry.0, entry.1, other.0, other.1
            ));
        }
    }
    None
}

/// Checks the JSON lines of one replay.
pub fn check(json: &str) -> Verdict {
    let mut checker = Checker::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut outcome = Value::Null;
    let mut failed_line = None;
    for (line, text) in json.lines().enumerate() {
        let event: Value = serde_json::from_str(text).unwrap_or_else(|error| panic!("line {}: {error}", line + 1));
        let kind = event["event"].as_str().expect("an event").to_string();
        *seen.entry(kind.clone()).or_default() += 1;
        if kind == "outcome" {
            outcome = event;
            continue;
        }
        if kind == "failed" {
            failed_line = failed_line.or(Some(line));
        }
        checker.line = line;
        checker.event = kind;
        checker.event(&event);
    }
    assert!(outcome.is_object(), "the JSON ends with its outcome");
    Verdict { violations: checker.violations, outcome, failed_line, seen }
}

/// The JSON lines `raftsim replay --format json` prints for one seed (the same library code).
pub fn replay_json(test: &str, seed: u64, options: &tester::Options, bug: Option<&str>) -> String {
    let case = sims::find(test).expect("a lab test");
    let (report, trace) = harness::replay::record::record_run(case, seed, options);
    let rows = harness::replay::describe::rows(&trace);
    let mut out = Vec::new();
    harness::replay::json::write(&mut out, trace.iter().zip(&rows), case.name, case.setup.servers, &report, bug)
        .expect("writes to memory");
    String::from_utf8(out).expect("utf-8")
}
