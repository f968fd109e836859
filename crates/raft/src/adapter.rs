//! The core behind raftsim's node API: a thin adapter that encodes the core's
//! Figure 2 messages into opaque wire messages (postcard bytes, header term
//! and name), numbers its calls, pairs each reply with the call being
//! answered, and offers the core's state for the invariants. The core's
//! message types stay private to this crate.
//!
//! The planted bug (with the `planted-bugs` feature) is chosen here, through
//! [`CoreFactory`], never through the seam.

use std::collections::VecDeque;
use std::fmt;

use api::{CallId, Delivery, EntryKind, Header, Inspect, LogEntry, MakeArgs, NodeState, Role, WireMessage};

use crate::{Config, Instant, LogIndex, Message, Node, NodeId, NotLeader, Output, RoleKind, Started, Term};

/// Makes nodes of raftsim's own core, optionally with one planted bug.
#[derive(Clone, Copy, Debug, Default)]
pub struct CoreFactory {
    #[cfg(feature = "planted-bugs")]
    bug: Option<crate::Bug>,
}

impl CoreFactory {
    /// The correct core.
    pub fn new() -> CoreFactory {
        CoreFactory::default()
    }

    /// The core with a planted bug (see [`crate::Bug`]).
    #[cfg(feature = "planted-bugs")]
    pub fn with_bug(bug: crate::Bug) -> CoreFactory {
        CoreFactory { bug: Some(bug) }
    }

    /// The planted bug these nodes run with.
    #[cfg(feature = "planted-bugs")]
    pub fn bug(&self) -> Option<crate::Bug> {
        self.bug
    }
}

impl api::Factory for CoreFactory {
    fn name(&self) -> &str {
        "core"
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn api::Node>, String> {
        #[allow(unused_mut)]
        let mut config = Config::new(args.me, args.peers, args.rng_seed);
        #[cfg(feature = "planted-bugs")]
        {
            config.bug = self.bug;
        }
        let node = Node::restore(config, args.now, &args.raft_state, args.snapshot).map_err(|e| e.to_string())?;
        Ok(Box::new(CoreNode::new(node)))
    }
}

/// The core as an [`api::Node`].
#[derive(Debug)]
pub struct CoreNode {
    node: Node,
    next_call: u64,
    outputs: VecDeque<api::Output>,
}

impl CoreNode {
    pub fn new(node: Node) -> CoreNode {
        CoreNode { node, next_call: 0, outputs: VecDeque::new() }
    }

    /// The core inside.
    pub fn core(&self) -> &Node {
        &self.node
    }

    /// Takes the core's outputs; `answering` is the request just handled.
    fn collect(&mut self, answering: Option<(NodeId, CallId)>) {
        while let Some(output) = self.node.poll_output() {
            let output = match output {
                Output::Send { to, message } => {
                    self.next_call += 1;
                    api::Output::Call { to, call: CallId(self.next_call), message: encode(&message) }
                }
                Output::Reply { to, message } => match answering {
                    Some((from, call)) if from == to => api::Output::Reply { to, call, message: encode(&message) },
                    // The core replies only while handling a request (an assert in its tests).
                    _ => unreachable!("the core replied to n{to} outside a request"),
                },
                Output::Persist(persist) => api::Output::Persist(persist),
                Output::Apply(apply) => api::Output::Apply(apply),
            };
            self.outputs.push_back(output);
        }
    }
}

fn encode(message: &Message) -> WireMessage {
    let mut bytes = Vec::new();
    message.encode_into(&mut bytes);
    WireMessage::new(Header { term: Some(message.term()), name: message.name() }, bytes)
}

impl api::Node for CoreNode {
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: WireMessage) {
        // Bytes that do not decode are a peer's garbage: ignored, like any stale message.
        let Ok(decoded) = Message::decode(&message.bytes) else { return };
        let answering = match delivery {
            Delivery::Request(call) => Some((from, call)),
            Delivery::Reply(_) | Delivery::OneWay => None,
        };
        self.node.handle_message(now, from, decoded);
        self.collect(answering);
    }

    fn handle_call_failed(&mut self, _now: Instant, _to: NodeId, _call: CallId) {
        // The core never waits on a call: an unanswered payload is resent on a timer.
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.node.handle_timeout(now);
        self.collect(None);
    }

    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        let started = self.node.start(now, command);
        self.collect(None);
        started
    }

    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>) {
        self.node.snapshot(now, index, data);
        self.collect(None);
    }

    fn poll_output(&mut self) -> Option<api::Output> {
        self.outputs.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.node.poll_timeout()
    }

    fn get_state(&self) -> (Term, bool) {
        let state = self.node.state();
        (state.term, state.role == RoleKind::Leader)
    }

    fn inspect(&self) -> Option<&dyn Inspect> {
        Some(self)
    }

    fn describe(&self, message: &WireMessage) -> String {
        match Message::decode(&message.bytes) {
            Ok(decoded) => Summary(&decoded).to_string(),
            Err(_) => format!("{}(undecodable {}B)", message.header.name, message.bytes.len()),
        }
    }
}

impl Inspect for CoreNode {
    fn state(&self) -> NodeState {
        let state = self.node.state();
        NodeState {
            term: state.term,
            role: match state.role {
                RoleKind::Follower => Role::Follower,
                RoleKind::Candidate => Role::Candidate,
                RoleKind::Leader => Role::Leader,
            },
            voted_for: state.voted_for,
            commit_index: state.commit_index,
            last_applied: state.last_applied,
            last_log_index: state.last_log_index,
            last_log_term: state.last_log_term,
            snapshot_index: state.snapshot_index,
        }
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        self.node.log().term_at(index)
    }

    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let entry = self.node.log().entry(index)?;
        Some(LogEntry { term: entry.term, kind: EntryKind::Command(entry.command.clone()) })
    }
}

/// A one-line summary of a message: `AppendEntries(t3 prev=4/t2 n=3 commit=4)`.
struct Summary<'a>(&'a Message);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Message::RequestVote(m) => {
                write!(f, "RequestVote(t{} last={}/t{})", m.term, m.last_log_index, m.last_log_term)
            }
            Message::RequestVoteReply(m) => {
                write!(f, "VoteReply(t{} {})", m.term, if m.vote_granted { "granted" } else { "denied" })
            }
            Message::AppendEntries(m) => write!(
                f,
                "AppendEntries(t{} prev={}/t{} n={} commit={})",
                m.term,
                m.prev_log_index,
                m.prev_log_term,
                m.entries.len(),
                m.leader_commit
            ),
            Message::AppendEntriesReply(m) if m.success => {
                write!(f, "AppendReply(t{} ok match={})", m.term, m.match_index)
            }
            Message::AppendEntriesReply(m) => match &m.conflict {
                Some(c) => write!(
                    f,
                    "AppendReply(t{} reject prev={} xterm={} xindex={} xlen={})",
                    m.term,
                    m.prev_log_index,
                    c.term.map_or("-".to_string(), |t| t.to_string()),
                    c.first_index,
                    c.log_len
                ),
                None => write!(f, "AppendReply(t{} reject: stale term)", m.term),
            },
            Message::InstallSnapshot(m) => write!(
                f,
                "InstallSnapshot(t{} last={}/t{} {}B)",
                m.term,
                m.last_included_index,
                m.last_included_term,
                m.data.len()
            ),
            Message::InstallSnapshotReply(m) => {
                write!(f, "SnapshotReply(t{} last={})", m.term, m.last_included_index)
            }
        }
    }
}
