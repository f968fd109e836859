//! The node's side of the protocol, for any Raft behind [`api::Node`]: read
//! one input line, hand it to the node, write its outputs and `done`. It
//! reports inspection when the node offers it, and its log changes
//! incrementally (what changed since the last `done`), so that the harness's
//! mirror of the log is exactly the node's log after every step.
//!
//! This is what `raftsim-node` runs over our core; a Rust Raft can be served
//! the same way from its own binary.

use std::io::{BufRead, Write};
use std::sync::Arc;

use api::{Apply, CallId, Delivery, EntryKind, Factory, Inspect, Instant, LogEntry, LogIndex, MakeArgs, Node, NodeId};
use api::{Header, Output, Role, Term, WireMessage};

use crate::base64;
use crate::names;
use crate::protocol::{self, bytes_field, field, Done, EntryLine, Inspection, Line, LogChange, RoleName, Wire};

/// Serves nodes of `factory` over `input` and `output` until `input` ends.
/// An error is a one-line reason (a malformed input, or a Make that failed).
pub fn serve(factory: &dyn Factory, input: impl BufRead, mut output: impl Write) -> Result<(), String> {
    let mut lines = input.lines();
    let Some(first) = lines.next() else { return Ok(()) };
    let first = first.map_err(|e| format!("reading stdin: {e}"))?;
    let init: Line<'_> = serde_json::from_str(&first).map_err(|e| format!("malformed input line: {e}"))?;
    if init.kind != "init" {
        return Err(format!("the first input is {:?}, not `init`", init.kind));
    }
    let snapshot: Arc<[u8]> = bytes_field(init.snapshot.as_ref(), "init", "snapshot")?.into();
    let args = MakeArgs {
        me: NodeId(field(init.me, "init", "me")?),
        peers: field(init.peers, "init", "peers")?,
        now: Instant(field(init.now, "init", "now")?),
        rng_seed: field(init.seed, "init", "seed")?,
        raft_state: bytes_field(init.state.as_ref(), "init", "state")?,
        snapshot: Arc::clone(&snapshot),
    };
    let node = factory.make(args)?;
    let mut server = Server { node, log: LogDiff::default(), snapshot, out: String::new() };
    server.answer(None, true);
    server.flush(&mut output)?;
    for line in lines {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        let input: Line<'_> = serde_json::from_str(&line).map_err(|e| format!("malformed input line: {e}"))?;
        let started = server.handle(&input)?;
        server.answer(started, false);
        server.flush(&mut output)?;
    }
    Ok(())
}

struct Server {
    node: Box<dyn Node>,
    log: LogDiff,
    /// The snapshot the harness holds: a `persist` repeats it only when it changed.
    snapshot: Arc<[u8]>,
    out: String,
}

impl Server {
    /// Hands one input to the node; for `start`, the accepted command's index.
    fn handle(&mut self, input: &Line<'_>) -> Result<Option<LogIndex>, String> {
        let kind = input.kind.as_ref();
        let now = Instant(field(input.now, kind, "now")?);
        match kind {
            "message" => {
                let from = NodeId(field(input.from, kind, "from")?);
                let delivery = match field(input.delivery.as_deref(), kind, "delivery")? {
                    "request" => Delivery::Request(CallId(field(input.call, kind, "call")?)),
                    "reply" => Delivery::Reply(CallId(field(input.call, kind, "call")?)),
                    "one_way" => Delivery::OneWay,
                    other => return Err(format!("an unknown delivery {other:?}")),
                };
                let name = names::intern(field(input.name.as_deref(), kind, "name")?)?;
                let header = Header { term: input.term.map(Term), name };
                let message = WireMessage::new(header, bytes_field(input.bytes.as_ref(), kind, "bytes")?);
                self.node.handle_message(now, from, delivery, message);
            }
            "call_failed" => {
                let to = NodeId(field(input.to, kind, "to")?);
                self.node.handle_call_failed(now, to, CallId(field(input.call, kind, "call")?));
            }
            "timeout" => self.node.handle_timeout(now),
            "start" => {
                let command = bytes_field(input.command.as_ref(), kind, "command")?;
                return Ok(self.node.start(now, command).ok().map(|started| started.index));
            }
            "snapshot" => {
                let index = LogIndex(field(input.index, kind, "index")?);
                self.node.snapshot(now, index, bytes_field(input.data.as_ref(), kind, "data")?);
            }
            other => return Err(format!("an unknown input type {other:?}")),
        }
        Ok(None)
    }

    /// Writes the node's outputs and the closing `done` into the buffer.
    fn answer(&mut self, started: Option<LogIndex>, init: bool) {
        while let Some(output) = self.node.poll_output() {
            let line = self.output_line(&output);
            self.out.push_str(&line);
        }
        let (term, leader) = self.node.get_state();
        let mut done = Done {
            deadline: self.node.poll_timeout().map(Instant::micros),
            term: term.0,
            leader,
            index: started.map(|index| index.0),
            call_failures: (init && !self.node.wants_call_failures()).then_some(false),
            ..Done::default()
        };
        if let Some(inspect) = self.node.inspect() {
            done.inspect = Some(inspection(inspect));
            done.log = self.log.change(inspect);
        }
        self.out.push_str(&protocol::to_line(&protocol::Output::Done(done)));
    }

    fn output_line(&mut self, output: &Output) -> String {
        let node = self.node.as_ref();
        let line = match output {
            Output::Call { to, call, message } => {
                protocol::Output::Call { call: call.0, wire: wire(node, *to, message) }
            }
            Output::Reply { to, call, message } => {
                protocol::Output::Reply { call: call.0, wire: wire(node, *to, message) }
            }
            Output::Send { to, message } => protocol::Output::Send { wire: wire(node, *to, message) },
            Output::Persist(persist) => {
                let same = Arc::ptr_eq(&persist.snapshot, &self.snapshot) || persist.snapshot == self.snapshot;
                if !same {
                    self.snapshot = Arc::clone(&persist.snapshot);
                }
                let snapshot = (!same).then_some(protocol::B64(&persist.snapshot));
                protocol::Output::Persist {
                    keep: persist.keep_bytes,
                    state: protocol::B64(&persist.raft_state),
                    snapshot,
                }
            }
            Output::Apply(Apply::Command { index, term, command }) => {
                protocol::Output::Apply { index: index.0, term: term.0, command: protocol::B64(command) }
            }
            Output::Apply(Apply::Snapshot { index, term, data }) => {
                protocol::Output::ApplySnapshot { index: index.0, term: term.0, data: protocol::B64(data) }
            }
        };
        protocol::to_line(&line)
    }

    fn flush(&mut self, output: &mut impl Write) -> Result<(), String> {
        output
            .write_all(self.out.as_bytes())
            .and_then(|()| output.flush())
            .map_err(|e| format!("writing stdout: {e}"))?;
        self.out.clear();
        Ok(())
    }
}

fn wire<'a>(node: &dyn Node, to: NodeId, message: &'a WireMessage) -> Wire<'a> {
    Wire {
        to: to.0,
        term: message.header.term.map(|term| term.0),
        name: message.header.name,
        bytes: protocol::B64(&message.bytes),
        summary: Some(node.describe(message)),
    }
}

fn inspection(inspect: &dyn Inspect) -> Inspection {
    let state = inspect.state();
    Inspection {
        role: match state.role {
            Role::Follower => RoleName::Follower,
            Role::Candidate => RoleName::Candidate,
            Role::Leader => RoleName::Leader,
        },
        vote: state.voted_for.map(|id| id.0),
        commit: state.commit_index.0,
        applied: state.last_applied.0,
        last_index: state.last_log_index.0,
        last_term: state.last_log_term.0,
        snapshot_index: state.snapshot_index.0,
        snapshot_term: inspect.term_at(state.snapshot_index).map_or(0, |term| term.0),
    }
}

/// What the harness's mirror holds of the log: entries above `floor`, as last reported.
#[derive(Default)]
struct LogDiff {
    floor: u64,
    entries: Vec<LogEntry>,
}

fn same(a: &LogEntry, b: &LogEntry) -> bool {
    a.term == b.term
        && match (&a.kind, &b.kind) {
            (EntryKind::Command(x), EntryKind::Command(y)) => Arc::ptr_eq(x, y) || x == y,
            (EntryKind::Internal, EntryKind::Internal) => true,
            _ => false,
        }
}

impl LogDiff {
    /// The change since the last report (compaction first, as the harness applies it).
    fn change(&mut self, inspect: &dyn Inspect) -> Option<LogChange> {
        let state = inspect.state();
        let (floor, last) = (state.snapshot_index.0, state.last_log_index.0);
        if floor > self.floor {
            let gone = ((floor - self.floor) as usize).min(self.entries.len());
            self.entries.drain(..gone);
            if floor - self.floor > gone as u64 {
                self.entries.clear();
            }
            self.floor = floor;
        }
        let mut from = None;
        for index in floor + 1..=last {
            let kept = self.entries.get((index - floor - 1) as usize);
            let now_there = inspect.entry(LogIndex(index));
            if !matches!((kept, &now_there), (Some(a), Some(b)) if same(a, b)) {
                from = Some(index);
                break;
            }
        }
        if from.is_none() && self.entries.len() as u64 > last.saturating_sub(floor) {
            from = Some(last + 1);
        }
        let from = from?;
        self.entries.truncate((from - floor - 1) as usize);
        let mut lines = Vec::new();
        for index in from..=last {
            let Some(entry) = inspect.entry(LogIndex(index)) else { break };
            let command = match &entry.kind {
                EntryKind::Command(bytes) => Some(base64::encode(bytes)),
                EntryKind::Internal => None,
            };
            lines.push(EntryLine { term: entry.term.0, command });
            self.entries.push(entry);
        }
        Some(LogChange { from, entries: lines })
    }
}
