//! `replay --format json`: the same events as JSON lines, one object per
//! event, then one closing object with the run's outcome. Keys are always in
//! the same order, absent values are left out:
//!
//! `{"time_us":313541,"node":1,"peer":0,"event":"send","msg":"RequestVote(t1 last=0/t0)","topics":["vote","net"]}`

use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use tester::Report;

use super::filter::{classify, Topic};
use super::record::{Record, Value};

#[derive(Serialize)]
struct Event<'a> {
    time_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    term: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg: Option<&'a str>,
    #[serde(skip_serializing_if = "Fields::is_empty")]
    fields: Fields<'a>,
    topics: Vec<&'static str>,
}

/// The other fields as a JSON object, in the order the event gave them.
struct Fields<'a>(&'a [(&'static str, Value)]);

impl Fields<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            match value {
                Value::U64(value) => map.serialize_entry(name, value)?,
                Value::I64(value) => map.serialize_entry(name, value)?,
                Value::Bool(value) => map.serialize_entry(name, value)?,
                Value::Str(value) => map.serialize_entry(name, value)?,
            }
        }
        map.end()
    }
}

/// One event as a JSON object, without a newline.
pub fn event_line(record: &Record) -> String {
    let topics = classify(record).1;
    let event = Event {
        time_us: record.time_us,
        node: record.node,
        peer: record.peer,
        term: record.term,
        role: record.role.as_deref(),
        event: &record.message,
        msg: record.msg.as_deref(),
        fields: Fields(&record.fields),
        topics: Topic::ALL.into_iter().filter(|topic| topics.contains(*topic)).map(Topic::name).collect(),
    };
    serde_json::to_string(&event).expect("plain data serializes")
}

#[derive(Serialize)]
struct Outcome<'a> {
    time_us: u64,
    event: &'static str,
    test: &'a str,
    seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    bug: Option<&'a str>,
    outcome: &'static str,
    check: Option<&'a str>,
    reason: Option<&'a str>,
    events: u64,
    rpcs: u64,
    bytes: u64,
    trace_hash: String,
}

/// The closing object: the run's outcome, as `run` reports it.
pub fn outcome_line(test: &str, report: &Report, bug: Option<&str>) -> String {
    let failure = report.outcome.as_ref().err();
    let outcome = Outcome {
        time_us: report.end_time.micros(),
        event: "outcome",
        test,
        seed: report.seed,
        bug,
        outcome: if failure.is_some() { "fail" } else { "pass" },
        check: failure.map(|failure| failure.check.name()),
        reason: failure.map(|failure| failure.reason.as_str()),
        events: report.events,
        rpcs: report.stats.rpcs,
        bytes: report.stats.bytes,
        trace_hash: format!("{:016x}", report.trace_hash),
    };
    serde_json::to_string(&outcome).expect("plain data serializes")
}

/// Writes the events, then the outcome.
pub fn write<'a>(
    out: &mut dyn Write,
    records: impl Iterator<Item = &'a Record>,
    test: &str,
    report: &Report,
    bug: Option<&str>,
) -> io::Result<()> {
    for record in records {
        writeln!(out, "{}", event_line(record))?;
    }
    writeln!(out, "{}", outcome_line(test, report, bug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_json_object_with_its_fields() {
        let record = Record {
            time_us: 5,
            node: Some(1),
            peer: Some(0),
            message: "lost".into(),
            msg: Some("VoteReply(t1 \"granted\")".into()),
            fields: vec![("why", Value::Str("reply dropped".into())), ("index", Value::U64(3))],
            ..Record::default()
        };
        let line = event_line(&record);
        assert_eq!(
            line,
            r#"{"time_us":5,"node":1,"peer":0,"event":"lost","msg":"VoteReply(t1 \"granted\")","fields":{"why":"reply dropped","index":3},"topics":["vote","drop","net"]}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["fields"]["index"], 3);
    }
}
