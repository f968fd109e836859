//! `replay --format json`: the typed trace as JSON lines, one object per
//! event (quiet steps included), then one closing object with the run's
//! outcome. Every object has `time_us` and `event`; the rest are the
//! event's own fields ([`tester::trace::TraceEvent`]), then its `topics`.
//! This is complete enough for a checker outside the project to verify
//! Raft's safety properties from it alone (see `tests/json_checker.rs`):
//!
//! `{"time_us":313541,"event":"sent","id":4,"from":1,"to":0,"kind":"request","call":1,"term":1,"name":"RequestVote","summary":"RequestVote(t1 last=0/t0)","bytes":9,"topics":["vote","net"]}`
//! `{"time_us":313890,"event":"step","node":0,"input":{"message":4},"before":{"term":0,"leader":false,"role":"follower","vote":null,...},"after":{...},"topics":["vote","role"]}`

use std::io::{self, Write};

use serde::Serialize;
use tester::trace::{TraceEvent, Traced};
use tester::Report;

use super::describe::Row;
use super::filter::Topic;

#[derive(Serialize)]
struct Event<'a> {
    time_us: u64,
    #[serde(flatten)]
    event: &'a TraceEvent,
    topics: Vec<&'static str>,
}

/// One event as a JSON object, without a newline.
pub fn event_line(traced: &Traced, row: &Row) -> String {
    let event = Event {
        time_us: traced.at.micros(),
        event: &traced.event,
        topics: Topic::ALL.into_iter().filter(|topic| row.topics.contains(*topic)).map(Topic::name).collect(),
    };
    serde_json::to_string(&event).expect("plain data serializes")
}

#[derive(Serialize)]
struct Outcome<'a> {
    time_us: u64,
    event: &'static str,
    test: &'a str,
    seed: u64,
    servers: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    bug: Option<&'a str>,
    outcome: &'static str,
    /// The structured failure (check, kind, at_us, index, term, nodes, reason), if the run failed.
    failure: Option<&'a tester::Failure>,
    events: u64,
    rpcs: u64,
    bytes: u64,
    trace_hash: String,
}

/// The closing object: the run's outcome, as `run` reports it.
pub fn outcome_line(test: &str, servers: usize, report: &Report, bug: Option<&str>) -> String {
    let failure = report.outcome.as_ref().err();
    let outcome = Outcome {
        time_us: report.end_time.micros(),
        event: "outcome",
        test,
        seed: report.seed,
        servers,
        bug,
        outcome: if failure.is_some() { "fail" } else { "pass" },
        failure,
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
    events: impl Iterator<Item = (&'a Traced, &'a Row)>,
    test: &str,
    servers: usize,
    report: &Report,
    bug: Option<&str>,
) -> io::Result<()> {
    for (traced, row) in events {
        writeln!(out, "{}", event_line(traced, row))?;
    }
    writeln!(out, "{}", outcome_line(test, servers, report, bug))
}

#[cfg(test)]
mod tests {
    use super::super::describe::rows;
    use super::*;
    use sim::Time;
    use tester::trace::{Fault, LossReason, MessageId, MessageKind, TestStep};

    fn lines(trace: &[Traced]) -> Vec<String> {
        trace.iter().zip(&rows(trace)).map(|(traced, row)| event_line(traced, row)).collect()
    }

    #[test]
    fn an_event_is_one_json_object_with_its_fields() {
        let at = Time::from_micros(5);
        let trace = vec![
            Traced {
                at,
                event: TraceEvent::Sent {
                    id: MessageId(3),
                    from: 1,
                    to: 0,
                    kind: MessageKind::Reply,
                    call: Some(api::CallId(2)),
                    term: Some(api::Term(1)),
                    name: "VoteReply",
                    summary: "VoteReply(t1 \"granted\")".into(),
                    bytes: 4,
                },
            },
            Traced {
                at,
                event: TraceEvent::Lost { id: MessageId(3), from: 1, to: 0, reason: LossReason::ReplyDropped },
            },
            Traced { at, event: TraceEvent::Fault(Fault::Crash(2)) },
            Traced { at, event: TraceEvent::Test(TestStep::Begin("Test (2A)".into())) },
        ];
        let lines = lines(&trace);
        assert_eq!(
            lines[0],
            r#"{"time_us":5,"event":"sent","id":3,"from":1,"to":0,"kind":"reply","call":2,"term":1,"name":"VoteReply","summary":"VoteReply(t1 \"granted\")","bytes":4,"topics":["net"]}"#
        );
        assert_eq!(
            lines[1],
            r#"{"time_us":5,"event":"lost","id":3,"from":1,"to":0,"reason":"reply dropped","topics":["drop","net"]}"#
        );
        assert_eq!(lines[2], r#"{"time_us":5,"event":"fault","crash":2,"topics":["test"]}"#);
        assert_eq!(lines[3], r#"{"time_us":5,"event":"test","begin":"Test (2A)","topics":["test"]}"#);
    }
}
