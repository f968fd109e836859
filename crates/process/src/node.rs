//! The harness's side of the node protocol: [`ProcessFactory`] starts one
//! process per node incarnation (the lab's Make; a crash kills it, a restart
//! spawns a new one from the persisted bytes), and [`ProcessNode`] is that
//! process behind [`api::Node`], spoken to synchronously: one input line,
//! then output lines up to `done`.
//!
//! A node that breaks the protocol (bad JSON, an unknown output, a reply to
//! no call, exiting, hanging past the per-step bound) makes the adapter
//! panic with one line naming the node, what was wrong, the last input and
//! the node's stderr tail; the tester turns that panic into a
//! `Check::NodePanic` failure of the run, as for any node that panics.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use api::{CallId, Delivery, Header, Inspect, Instant, LogIndex, MakeArgs, NodeId, NotLeader, Started, Term};
use api::{Output, WireMessage};

use crate::child::Process;
use crate::mirror::Mirror;
use crate::protocol::{bytes_field, field, to_line, Done, Input, Line, B64};
use crate::{cmdline, names};

/// The default per-step bound: a node silent this long (wall clock) is taken to hang.
pub const DEFAULT_STEP_BOUND: Duration = Duration::from_secs(20);
/// Characters of the last input quoted in a failure.
const QUOTED_INPUT_CHARS: usize = 300;

/// Makes nodes that are processes speaking the node protocol.
#[derive(Clone, Debug)]
pub struct ProcessFactory {
    line: String,
    words: Arc<[String]>,
    step_bound: Duration,
}

impl ProcessFactory {
    /// Nodes run as `command_line` (split into words as a shell would; no shell runs).
    pub fn new(command_line: &str) -> Result<ProcessFactory, String> {
        let words = cmdline::split(command_line)?;
        Ok(ProcessFactory {
            line: command_line.trim().to_string(),
            words: words.into(),
            step_bound: DEFAULT_STEP_BOUND,
        })
    }

    /// Nodes that do not answer an input within `bound` (wall clock) fail the run.
    /// Failure detection only: a correct node's run never depends on it.
    pub fn with_step_bound(mut self, bound: Duration) -> ProcessFactory {
        self.step_bound = bound;
        self
    }

    /// The command line nodes run as.
    pub fn command_line(&self) -> &str {
        &self.line
    }
}

impl api::Factory for ProcessFactory {
    /// The command line: what `--node-cmd` took.
    fn name(&self) -> &str {
        &self.line
    }

    /// Spawns the process and sends `init`; a process that cannot start is an error,
    /// a protocol break in its answer panics (see the module's docs).
    fn make(&self, args: MakeArgs) -> Result<Box<dyn api::Node>, String> {
        let process = Process::spawn(&self.words[0], &self.words[1..], self.step_bound)?;
        let mut node = ProcessNode {
            me: args.me,
            peers: args.peers,
            command: self.line.clone(),
            process,
            outputs: VecDeque::new(),
            deadline: None,
            term: Term::ZERO,
            leader: false,
            mirror: None,
            open_requests: BTreeSet::new(),
            snapshot: Arc::clone(&args.snapshot),
            last_summary: None,
            wants_call_failures: true,
        };
        let init = Input::Init {
            me: args.me.0,
            peers: args.peers,
            now: args.now.micros(),
            seed: args.rng_seed,
            state: B64(&args.raft_state),
            snapshot: B64(&args.snapshot),
        };
        node.exchange(&to_line(&init), Step::Init);
        Ok(Box::new(node))
    }
}

/// Which input a step answers: what its `done` must and must not carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Init,
    Start,
    Other,
}

/// One output and, for messages, the node's summary of it.
type Queued = (Output, Option<String>);

/// A node incarnation in its own process.
pub struct ProcessNode {
    me: NodeId,
    peers: u32,
    command: String,
    process: Process,
    outputs: VecDeque<Queued>,
    deadline: Option<Instant>,
    term: Term,
    leader: bool,
    /// The inspected state and log, for a node that reports them (decided by its first `done`).
    mirror: Option<Mirror>,
    /// Requests delivered and not yet answered: (caller, call id).
    open_requests: BTreeSet<(u32, u64)>,
    /// The snapshot last persisted (a `persist` line without one keeps it).
    snapshot: Arc<[u8]>,
    /// The summary of the message polled last, for `describe`: (name, length, summary).
    last_summary: Option<(&'static str, usize, String)>,
    /// Whether the node takes `call_failed` inputs (its answer to `init` says).
    wants_call_failures: bool,
}

impl ProcessNode {
    /// Sends one input and takes the node's answer; panics on a protocol break.
    fn exchange(&mut self, input: &str, step: Step) -> Option<LogIndex> {
        self.process.begin_step((step == Step::Init).then_some(crate::child::STARTUP_BOUND));
        let answer = self.try_exchange(input, step);
        self.process.end_step();
        match answer {
            Ok(index) => index,
            Err(what) => panic!("{}", self.protocol_error(input, &what)),
        }
    }

    fn protocol_error(&mut self, input: &str, what: &str) -> String {
        let input = input.trim_end();
        let quoted: String = input.chars().take(QUOTED_INPUT_CHARS).collect();
        let more = if quoted.len() < input.len() { "…" } else { "" };
        format!(
            "protocol error from node n{} (`{}`): {what}; last input: {quoted}{more}; stderr: {}",
            self.me,
            self.command,
            self.process.stderr_tail()
        )
    }

    fn try_exchange(&mut self, input: &str, step: Step) -> Result<Option<LogIndex>, String> {
        self.process.send(input)?;
        loop {
            let line = self.process.next_line()?;
            let parsed: Line<'_> = serde_json::from_str(&line).map_err(|e| {
                let shown: String = line.trim_end().chars().take(120).collect();
                format!("malformed JSON ({e}) in the line {shown:?}")
            })?;
            if parsed.kind == "done" {
                let index = self.done(parsed, step)?;
                if self.process.has_pending() {
                    return Err("output after `done` (the node must wait for the next input)".to_string());
                }
                return Ok(index);
            }
            self.output(parsed)?;
        }
    }

    /// One output line other than `done`.
    fn output(&mut self, line: Line<'_>) -> Result<(), String> {
        let kind = line.kind.as_ref();
        let queued = match kind {
            "call" | "reply" | "send" => {
                let to = field(line.to, kind, "to")?;
                if to >= self.peers || to == self.me.0 {
                    return Err(format!("a `{kind}` to n{to}, which is not a peer (0..{}, not itself)", self.peers));
                }
                let name = names::intern(field(line.name.as_deref(), kind, "name")?)?;
                let header = Header { term: line.term.map(Term), name };
                let message = WireMessage::new(header, bytes_field(line.bytes.as_ref(), kind, "bytes")?);
                let (to, summary) = (NodeId(to), line.summary);
                match kind {
                    "send" => (Output::Send { to, message }, summary),
                    "call" => (Output::Call { to, call: CallId(field(line.call, kind, "call")?), message }, summary),
                    _ => {
                        let call = field(line.call, kind, "call")?;
                        if !self.open_requests.remove(&(to.0, call)) {
                            return Err(format!(
                                "a reply to call #{call} from n{to}, which it never received or already answered"
                            ));
                        }
                        (Output::Reply { to, call: CallId(call), message }, summary)
                    }
                }
            }
            "persist" => {
                let raft_state = bytes_field(line.state.as_ref(), kind, "state")?;
                if line.snapshot.is_some() {
                    self.snapshot = bytes_field(line.snapshot.as_ref(), kind, "snapshot")?.into();
                }
                let keep_bytes = line.keep.unwrap_or(0);
                (Output::Persist(api::Persist { keep_bytes, raft_state, snapshot: Arc::clone(&self.snapshot) }), None)
            }
            "apply" | "apply_snapshot" => {
                let (index, term) =
                    (LogIndex(field(line.index, kind, "index")?), Term(field(line.term, kind, "term")?));
                let apply = if kind == "apply" {
                    api::Apply::Command {
                        index,
                        term,
                        command: bytes_field(line.command.as_ref(), kind, "command")?.into(),
                    }
                } else {
                    api::Apply::Snapshot { index, term, data: bytes_field(line.data.as_ref(), kind, "data")?.into() }
                };
                (Output::Apply(apply), None)
            }
            "note" => {
                tracing::debug!(node = self.me.0, "{}", line.text.as_deref().unwrap_or(""));
                return Ok(());
            }
            _ => return Err(format!("an unknown output type {kind:?}")),
        };
        self.outputs.push_back(queued);
        Ok(())
    }

    /// The closing line: deadline, GetState, Start's answer, inspection.
    fn done(&mut self, line: Line<'_>, step: Step) -> Result<Option<LogIndex>, String> {
        let done = Done {
            deadline: line.deadline,
            term: field(line.term, "done", "term")?,
            leader: field(line.leader, "done", "leader")?,
            index: line.index,
            call_failures: line.call_failures,
            inspect: line.inspect,
            log: line.log,
        };
        if step == Step::Start && done.index.is_some() && !done.leader {
            return Err("a `done` that accepts a Start but is not leader".to_string());
        }
        if step != Step::Start && done.index.is_some() {
            return Err("a `done` with `index` after an input other than `start`".to_string());
        }
        if step == Step::Init {
            self.wants_call_failures = done.call_failures.unwrap_or(true);
            if done.inspect.is_some() {
                self.mirror = Some(Mirror::new());
            }
        } else if done.call_failures.is_some() {
            return Err("a `done` with `call_failures` after an input other than `init`".to_string());
        }
        match (self.mirror.as_mut(), done.inspect) {
            (Some(mirror), Some(state)) => mirror.update(done.term, state, done.log)?,
            (Some(_), None) => return Err("a `done` without `inspect` from a node that reported it at init".into()),
            (None, Some(_)) => return Err("a `done` with `inspect` from a node that did not report it at init".into()),
            (None, None) if done.log.is_some() => return Err("a `done` with `log` but no `inspect`".into()),
            (None, None) => {}
        }
        self.deadline = done.deadline.map(Instant);
        self.term = Term(done.term);
        self.leader = done.leader;
        Ok(done.index.map(LogIndex))
    }

    fn message_input(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: &WireMessage) -> String {
        let (delivery, call) = match delivery {
            Delivery::Request(call) => {
                self.open_requests.insert((from.0, call.0));
                ("request", Some(call.0))
            }
            Delivery::Reply(call) => ("reply", Some(call.0)),
            Delivery::OneWay => ("one_way", None),
        };
        to_line(&Input::Message {
            now: now.micros(),
            from: from.0,
            delivery,
            call,
            term: message.header.term.map(|term| term.0),
            name: message.header.name,
            bytes: B64(&message.bytes),
        })
    }
}

impl api::Node for ProcessNode {
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: WireMessage) {
        let line = self.message_input(now, from, delivery, &message);
        self.exchange(&line, Step::Other);
    }

    fn handle_call_failed(&mut self, now: Instant, to: NodeId, call: CallId) {
        let line = to_line(&Input::CallFailed { now: now.micros(), to: to.0, call: call.0 });
        self.exchange(&line, Step::Other);
    }

    fn wants_call_failures(&self) -> bool {
        self.wants_call_failures
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.exchange(&to_line(&Input::Timeout { now: now.micros() }), Step::Other);
    }

    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        let line = to_line(&Input::Start { now: now.micros(), command: B64(&command) });
        match self.exchange(&line, Step::Start) {
            Some(index) => Ok(Started { index, term: self.term }),
            None => Err(NotLeader { term: self.term }),
        }
    }

    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>) {
        let line = to_line(&Input::Snapshot { now: now.micros(), index: index.0, data: B64(&data) });
        self.exchange(&line, Step::Other);
    }

    fn poll_output(&mut self) -> Option<Output> {
        let (output, summary) = self.outputs.pop_front()?;
        self.last_summary = match (&output, summary) {
            (
                Output::Call { message, .. } | Output::Reply { message, .. } | Output::Send { message, .. },
                Some(text),
            ) => Some((message.header.name, message.len(), text)),
            _ => None,
        };
        Some(output)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    fn get_state(&self) -> (Term, bool) {
        (self.term, self.leader)
    }

    fn inspect(&self) -> Option<&dyn Inspect> {
        self.mirror.as_ref().map(|mirror| mirror as &dyn Inspect)
    }

    /// The node's own summary of the message it sent last, if it gave one.
    fn describe(&self, message: &WireMessage) -> String {
        match &self.last_summary {
            Some((name, len, text)) if std::ptr::eq(*name, message.header.name) && *len == message.len() => {
                text.clone()
            }
            _ => message.header.name.to_string(),
        }
    }
}
