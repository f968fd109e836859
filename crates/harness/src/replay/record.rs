//! Recording one run: a `tracing` layer that keeps every event of the run as a
//! structured [`Record`] (virtual time, node, peer, term, role, what happened,
//! the message summary and any other fields), installed with
//! `tracing::subscriber::with_default` around that run only. The renderers
//! (lines, columns, JSON, timelines) all read these records, so they all
//! show the same run.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use sims::TestCase;
use tester::{Options, Report};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// A field value, as the event recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    U64(u64),
    I64(i64),
    Bool(bool),
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::U64(value) => write!(f, "{value}"),
            Value::I64(value) => write!(f, "{value}"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Str(value) => f.write_str(value),
        }
    }
}

/// One event of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Virtual time, in microseconds since the run began.
    pub time_us: u64,
    /// The node the event happened on (for a message: the sender of a send or
    /// a loss, the receiver of a recv).
    pub node: Option<u32>,
    /// The other end of a message.
    pub peer: Option<u32>,
    pub term: Option<u64>,
    /// `follower`, `candidate` or `leader`.
    pub role: Option<String>,
    /// What happened: `send`, `recv`, `lost`, `became leader`, `vote denied`, ...
    pub message: String,
    /// The message's one-line summary, e.g. `RequestVote(t1 last=0/t0)`.
    pub msg: Option<String>,
    /// Every other field, in the order the event gave them.
    pub fields: Vec<(&'static str, Value)>,
}

impl Record {
    /// The value of another field, by name.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(field, _)| *field == name).map(|(_, value)| value)
    }

    /// ` name=value` for every other field, as the trace lines show them.
    pub fn rest(&self) -> String {
        let mut text = String::new();
        for (name, value) in &self.fields {
            let _ = write!(text, " {name}={value}");
        }
        text
    }
}

impl Visit for Record {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "node" => self.node = u32::try_from(value).ok(),
            "peer" => self.peer = u32::try_from(value).ok(),
            "term" => self.term = Some(value),
            name => self.fields.push((name, Value::U64(value))),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match u64::try_from(value) {
            Ok(value) => self.record_u64(field, value),
            Err(_) => self.fields.push((field.name(), Value::I64(value))),
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.push((field.name(), Value::Bool(value)));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_text(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_text(field, format!("{value:?}"));
    }
}

impl Record {
    fn record_text(&mut self, field: &Field, text: String) {
        match field.name() {
            "message" => self.message = text,
            "role" => self.role = Some(text),
            "msg" => self.msg = Some(text),
            name => self.fields.push((name, Value::Str(text))),
        }
    }

    /// Builds a record from a tracing event, stamped with the running simulation's virtual time.
    fn from_event(event: &Event<'_>) -> Record {
        let mut record = Record { time_us: sim::virtual_now().micros(), ..Record::default() };
        event.record(&mut record);
        record
    }
}

/// The layer that keeps every event.
struct Recorder {
    records: Arc<Mutex<Vec<Record>>>,
}

impl<S: Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let record = Record::from_event(event);
        self.records.lock().expect("one run, one thread").push(record);
    }
}

/// Runs one seed of one test and returns its report with every event it traced.
pub fn record_run(case: &TestCase, seed: u64, options: &Options) -> (Report, Vec<Record>) {
    let records = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(Recorder { records: Arc::clone(&records) });
    let report = tracing::subscriber::with_default(subscriber, || sims::run_test(case, seed, options));
    let records = std::mem::take(&mut *records.lock().expect("the run is over"));
    (report, records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_records_its_events_with_fields() {
        let case = sims::find("InitialElection2A").unwrap();
        let (report, records) = record_run(case, 7, &sims::core_options());
        assert!(report.passed());
        assert!(records.len() > 50);
        assert!(records.windows(2).all(|pair| pair[0].time_us <= pair[1].time_us), "in virtual time order");
        let leader = records.iter().find(|r| r.message == "became leader").expect("someone wins");
        assert_eq!(leader.role.as_deref(), Some("leader"));
        assert!(leader.node.is_some() && leader.term.is_some());
        let send = records.iter().find(|r| r.message == "send").unwrap();
        assert!(send.peer.is_some() && send.msg.as_deref().unwrap().starts_with("RequestVote("));
        let begin = records.iter().find(|r| r.message == "begin").unwrap();
        assert_eq!(begin.field("description"), Some(&Value::Str("Test (2A): initial election".into())));
        // The same seed records the same events.
        assert_eq!(record_run(case, 7, &sims::core_options()).1, records);
    }
}
