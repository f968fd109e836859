//! The typed trace: what happened in one run, as data. Every step of every
//! node with its state before and after; every message with its id, header
//! and fate; the client's Starts and every apply; log appends and
//! truncations; snapshots; restores; faults; the test's own steps; the
//! failure. Diagnosis, timelines, columns and JSON are all built from this
//! stream, never from log text. Recording is off unless a run asks for it
//! ([`crate::Options::record`]), and then costs nothing.

use std::sync::Arc;

use api::{CallId, Role, Term};
use serde::{Serialize, Serializer};
use sim::Time;

use crate::{Failure, Value};

/// A message's id in one run: the order it was sent in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MessageId(pub u64);

/// What kind of message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    Request,
    Reply,
    OneWay,
}

impl MessageKind {
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Request => "request",
            MessageKind::Reply => "reply",
            MessageKind::OneWay => "one-way",
        }
    }
}

/// Why a message never reached its handler (labrpc's fates, LAB-SPEC §1.3).
pub use labrpc::Lost as LossReason;

/// A loss reason as its name (`"end disabled"`).
fn loss_name<S: Serializer>(reason: &LossReason, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(reason.name())
}

/// A node's state at one moment. Without [`api::Inspect`], only the term
/// and whether it leads are known (GetState).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub term: u64,
    pub leader: bool,
    /// Flattened into the view in JSON; absent when the node offers no inspection.
    #[serde(flatten)]
    pub inspected: Option<Inspected>,
}

/// The state an inspectable node shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Inspected {
    pub role: Role,
    pub vote: Option<u32>,
    pub commit: u64,
    pub applied: u64,
    pub last_index: u64,
    pub last_term: u64,
    pub snapshot_index: u64,
}

impl NodeView {
    /// The node's role, if known (a non-inspectable node: leader or not).
    pub fn role(&self) -> Option<Role> {
        match self.inspected {
            Some(inspected) => Some(inspected.role),
            None if self.leader => Some(Role::Leader),
            None => None,
        }
    }
}

/// What a step handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Timeout,
    /// A delivered message (see its [`TraceEvent::Sent`]).
    Message(MessageId),
    /// One of the node's own calls failed.
    CallFailed {
        to: u32,
        call: CallId,
    },
    /// The client's Start.
    Start,
    /// The service's Snapshot(index).
    Snapshot {
        index: u64,
    },
}

/// One entry as it entered a log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryRecord {
    pub index: u64,
    pub term: u64,
    /// The command's value, `None` for a Raft's internal entry.
    pub command: Option<Value>,
    /// The command's bytes as the tester submitted them (empty for internal entries).
    #[serde(skip)]
    pub bytes: Arc<[u8]>,
}

/// A fault the test (or the liveness phase) injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Connect(u32),
    Disconnect(u32),
    Crash(u32),
    /// start1: a new incarnation from the persisted state.
    Restart(u32),
    Unreliable(bool),
    LongReordering(bool),
}

/// One of the test's own steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStep {
    /// begin(description).
    Begin(String),
    /// A warning the lab prints without failing.
    Warning(String),
    /// The liveness phase begins: everything healed; progress is due within the bound.
    Heal { bound_ms: u64 },
}

/// One thing that happened. As JSON (`replay --format json`), an object
/// whose `event` key names the variant in snake case, with the variant's
/// fields beside it (a fault or test step: its own variant name as the key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent {
    /// A node handled one input: its state before and after.
    Step {
        node: u32,
        input: Input,
        before: NodeView,
        after: NodeView,
    },
    /// A node sent a message; `call` is the call it belongs to (none for one-way).
    Sent {
        id: MessageId,
        from: u32,
        to: u32,
        kind: MessageKind,
        call: Option<CallId>,
        term: Option<Term>,
        name: &'static str,
        summary: String,
        bytes: usize,
    },
    /// The message reached its receiver's handler.
    Delivered {
        id: MessageId,
        from: u32,
        to: u32,
    },
    /// The message was lost, and why.
    Lost {
        id: MessageId,
        from: u32,
        to: u32,
        #[serde(serialize_with = "loss_name")]
        reason: LossReason,
    },
    /// The client's Start was taken: the command will be at `index` if committed.
    Started {
        node: u32,
        index: u64,
        term: u64,
        value: Value,
    },
    /// A node applied a command (recorded before the checks that judge it).
    Applied {
        node: u32,
        index: u64,
        term: u64,
        command: Option<Value>,
        #[serde(skip)]
        bytes: Arc<[u8]>,
    },
    /// A node handed an installed snapshot to the service.
    SnapshotInstalled {
        node: u32,
        index: u64,
        term: u64,
    },
    /// The service told a node it has a snapshot through `index`.
    SnapshotTaken {
        node: u32,
        index: u64,
    },
    /// A node's log changed: entries from `truncated_from` on were dropped,
    /// then `appended` were added (in index order).
    LogChanged {
        node: u32,
        truncated_from: Option<u64>,
        appended: Vec<EntryRecord>,
    },
    /// A restarted node came up with this state (its log follows as a `LogChanged`).
    Restored {
        node: u32,
        state: NodeView,
    },
    Fault(Fault),
    Test(TestStep),
    /// The run failed here.
    Failed(Failure),
}

/// One event and when it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traced {
    pub at: Time,
    pub event: TraceEvent,
}

impl Serialize for Value {
    /// Ints as JSON numbers, strings as JSON strings (in full).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Str(s) => serializer.serialize_str(s),
        }
    }
}

impl Serialize for Failure {
    /// The check by name and family, the time in microseconds, index, term, nodes and the prose.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut failure = serializer.serialize_struct("Failure", 7)?;
        failure.serialize_field("check", self.check.name())?;
        failure.serialize_field("kind", self.check.kind())?;
        failure.serialize_field("at_us", &self.at.map(Time::micros))?;
        failure.serialize_field("index", &self.index)?;
        failure.serialize_field("term", &self.term)?;
        failure.serialize_field("nodes", &self.nodes)?;
        failure.serialize_field("reason", &self.reason)?;
        failure.end()
    }
}
