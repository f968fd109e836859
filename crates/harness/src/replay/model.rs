//! From events to a timeline: each node's role and term over virtual time,
//! when it was down (crashed) or cut off (disconnected), every message as a
//! flow from its send to its delivery, the drops, and the test's own steps.
//! The Perfetto and SVG renderers draw this model.
//!
//! Roles and terms come from the node's own events (each carries its term
//! and role), from `start` (a restarted node is a follower in its persisted
//! term) and from Raft's rule that a message with a higher term makes the
//! receiver a follower in that term (§5.1; a follower adopting a term emits
//! no event of its own).
//!
//! Messages: a request's `send` (node = sender, peer = receiver) is paired
//! with the later `recv` at the receiver, or with its `lost`, first in first
//! out per (sender, receiver, summary). Replies have no `send` event: a
//! reply leaves when its request is handled (every handled request gets
//! exactly one reply), so each request's `recv` opens a reply slot from the
//! handler back to the caller, which the reply's `recv` or `lost` closes.
//! Slots towards a node that crashes or restarts are dropped, as the network
//! discards replies to a dead incarnation.

use std::collections::{BTreeMap, VecDeque};

use super::filter::{is_request, message_term};
use super::record::Record;

/// A Raft role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

impl Role {
    fn parse(name: &str) -> Option<Role> {
        match name {
            "follower" => Some(Role::Follower),
            "candidate" => Some(Role::Candidate),
            "leader" => Some(Role::Leader),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// A node in one role and term, from `start_us` to `end_us`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSpan {
    pub node: u32,
    pub role: Role,
    pub term: u64,
    pub start_us: u64,
    pub end_us: u64,
}

/// A node down or disconnected, from `start_us` to `end_us`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
    pub node: u32,
    pub start_us: u64,
    pub end_us: u64,
}

/// A message from its send to its delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub from: u32,
    pub to: u32,
    pub msg: String,
    pub sent_us: u64,
    pub received_us: u64,
}

/// A message the network dropped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub from: u32,
    pub to: u32,
    pub msg: String,
    pub sent_us: Option<u64>,
    pub at_us: u64,
    pub why: String,
}

/// One of the test's steps: begin, connect, disconnect, crash, start, warning, FAIL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at_us: u64,
    pub node: Option<u32>,
    pub text: String,
}

/// The timeline of one run.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub servers: usize,
    pub end_us: u64,
    pub spans: Vec<RoleSpan>,
    pub down: Vec<Interval>,
    pub cut: Vec<Interval>,
    pub flows: Vec<Flow>,
    pub drops: Vec<Dropped>,
    pub steps: Vec<Step>,
}

#[derive(Default)]
struct NodeState {
    role: Option<(Role, u64, u64)>,
    term: u64,
    down_since: Option<u64>,
    cut_since: Option<u64>,
}

struct Builder {
    model: Model,
    nodes: Vec<NodeState>,
    replies_step_down: bool,
    requests: BTreeMap<(u32, u32, String), VecDeque<u64>>,
    replies: BTreeMap<(u32, u32), VecDeque<u64>>,
}

/// Builds the timeline of a run of `servers` nodes that ended at `end_us`.
/// `replies_step_down` is false when the planted bug that ignores a reply's
/// higher term is on.
pub fn build(records: &[Record], servers: usize, end_us: u64, replies_step_down: bool) -> Model {
    let mut builder = Builder {
        model: Model { servers, end_us, ..Model::default() },
        nodes: (0..servers).map(|_| NodeState { cut_since: Some(0), ..NodeState::default() }).collect(),
        replies_step_down,
        requests: BTreeMap::new(),
        replies: BTreeMap::new(),
    };
    for record in records {
        builder.record(record);
    }
    builder.finish()
}

impl Builder {
    fn record(&mut self, record: &Record) {
        let at = record.time_us;
        let Some(node) = record.node.filter(|node| (*node as usize) < self.nodes.len()) else {
            self.step(record, None);
            return;
        };
        match record.message.as_str() {
            "send" | "recv" | "lost" => self.message(record, node),
            "crash" => {
                self.close_role(node, at);
                self.nodes[node as usize].down_since = Some(at);
                self.forget_replies_to(node);
                self.step(record, Some(node));
            }
            "start" => {
                if let Some(since) = self.nodes[node as usize].down_since.take() {
                    self.push_interval(true, node, since, at);
                }
                self.forget_replies_to(node);
                let term = self.nodes[node as usize].term;
                self.set_role(node, Role::Follower, term, at);
                self.step(record, Some(node));
            }
            "disconnect" => {
                self.nodes[node as usize].cut_since.get_or_insert(at);
                self.step(record, Some(node));
            }
            "connect" => {
                if let Some(since) = self.nodes[node as usize].cut_since.take() {
                    self.push_interval(false, node, since, at);
                }
                self.step(record, Some(node));
            }
            _ => {
                if let (Some(term), Some(role)) = (record.term, record.role.as_deref().and_then(Role::parse)) {
                    self.set_role(node, role, term, at);
                }
            }
        }
    }

    fn step(&mut self, record: &Record, node: Option<u32>) {
        let mut text = record.message.clone();
        for (name, value) in &record.fields {
            text.push_str(&format!(" {name}={value}"));
        }
        self.model.steps.push(Step { at_us: record.time_us, node, text });
    }

    fn message(&mut self, record: &Record, node: u32) {
        let (Some(peer), Some(msg)) = (record.peer, record.msg.clone()) else {
            return;
        };
        let at = record.time_us;
        let request = is_request(&msg);
        match (record.message.as_str(), request) {
            ("send", _) => self.requests.entry((node, peer, msg)).or_default().push_back(at),
            ("recv", true) => {
                self.adopt_term(node, &msg, at, true);
                self.replies.entry((node, peer)).or_default().push_back(at);
                if let Some(sent_us) = self.requests.get_mut(&(peer, node, msg.clone())).and_then(VecDeque::pop_front) {
                    self.model.flows.push(Flow { from: peer, to: node, msg, sent_us, received_us: at });
                }
            }
            ("recv", false) => {
                self.adopt_term(node, &msg, at, self.replies_step_down);
                if let Some(sent_us) = self.replies.get_mut(&(peer, node)).and_then(VecDeque::pop_front) {
                    self.model.flows.push(Flow { from: peer, to: node, msg, sent_us, received_us: at });
                }
            }
            (_, request) => {
                let why = record.field("why").map(ToString::to_string).unwrap_or_default();
                let sent_us = if request {
                    self.requests.get_mut(&(node, peer, msg.clone())).and_then(|queue| take_sent(queue, at))
                } else {
                    self.replies.get_mut(&(node, peer)).and_then(VecDeque::pop_back)
                };
                self.model.drops.push(Dropped { from: node, to: peer, msg, sent_us, at_us: at, why });
            }
        }
    }

    /// A message with a higher term makes its receiver a follower in that term.
    fn adopt_term(&mut self, node: u32, msg: &str, at: u64, applies: bool) {
        let Some(term) = message_term(msg) else { return };
        if applies && term > self.nodes[node as usize].term && self.nodes[node as usize].role.is_some() {
            self.set_role(node, Role::Follower, term, at);
        }
    }

    fn forget_replies_to(&mut self, node: u32) {
        self.replies.retain(|(_, to), _| *to != node);
    }

    fn set_role(&mut self, node: u32, role: Role, term: u64, at: u64) {
        let state = &mut self.nodes[node as usize];
        state.term = term;
        if state.role.is_some_and(|(current, current_term, _)| (current, current_term) == (role, term)) {
            return;
        }
        self.close_role(node, at);
        self.nodes[node as usize].role = Some((role, term, at));
    }

    /// Ends the node's current span at `at`. Zero-length spans are dropped,
    /// except at the end of the run: the state a run ends in is kept.
    fn close_role(&mut self, node: u32, at: u64) {
        if let Some((role, term, since)) = self.nodes[node as usize].role.take() {
            if at > since || at == self.model.end_us {
                self.model.spans.push(RoleSpan { node, role, term, start_us: since, end_us: at });
            }
        }
    }

    fn push_interval(&mut self, down: bool, node: u32, start_us: u64, end_us: u64) {
        if end_us > start_us {
            let list = if down { &mut self.model.down } else { &mut self.model.cut };
            list.push(Interval { node, start_us, end_us });
        }
    }

    fn finish(mut self) -> Model {
        let end = self.model.end_us;
        for node in 0..self.nodes.len() as u32 {
            self.close_role(node, end);
            if let Some(since) = self.nodes[node as usize].down_since.take() {
                self.push_interval(true, node, since, end);
            }
            if let Some(since) = self.nodes[node as usize].cut_since.take() {
                self.push_interval(false, node, since, end);
            }
        }
        let model = &mut self.model;
        model.spans.sort_by_key(|span| (span.node, span.start_us));
        model.down.sort_by_key(|interval| (interval.node, interval.start_us));
        model.cut.sort_by_key(|interval| (interval.node, interval.start_us));
        self.model
    }
}

/// The send a loss belongs to: one sent this very instant (lost on the way
/// out), else the oldest still in flight (lost on arrival).
fn take_sent(queue: &mut VecDeque<u64>, at: u64) -> Option<u64> {
    if queue.back() == Some(&at) {
        queue.pop_back()
    } else {
        queue.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_us: u64, node: Option<u32>, message: &str) -> Record {
        Record { time_us, node, message: message.into(), ..Record::default() }
    }

    fn role_event(time_us: u64, node: u32, term: u64, role: &str, message: &str) -> Record {
        Record { term: Some(term), role: Some(role.into()), ..event(time_us, Some(node), message) }
    }

    fn wire(time_us: u64, node: u32, peer: u32, message: &str, msg: &str) -> Record {
        Record { peer: Some(peer), msg: Some(msg.into()), ..event(time_us, Some(node), message) }
    }

    #[test]
    fn roles_terms_flows_and_drops() {
        let records = vec![
            event(0, Some(0), "start"),
            event(0, Some(1), "start"),
            event(0, Some(0), "connect"),
            event(0, Some(1), "connect"),
            role_event(10, 0, 1, "candidate", "election timeout: standing"),
            wire(10, 0, 1, "send", "RequestVote(t1 last=0/t0)"),
            wire(12, 1, 0, "recv", "RequestVote(t1 last=0/t0)"),
            wire(15, 0, 1, "recv", "VoteReply(t1 granted)"),
            role_event(15, 0, 1, "leader", "became leader"),
            wire(15, 0, 1, "send", "AppendEntries(t1 prev=0/t0 n=0 commit=0)"),
            wire(15, 0, 1, "lost", "AppendEntries(t1 prev=0/t0 n=0 commit=0)"),
            event(20, Some(1), "disconnect"),
            event(30, Some(1), "crash"),
        ];
        let model = build(&records, 2, 40, true);
        let roles: Vec<(u32, Role, u64, u64, u64)> =
            model.spans.iter().map(|s| (s.node, s.role, s.term, s.start_us, s.end_us)).collect();
        assert_eq!(
            roles,
            vec![
                (0, Role::Follower, 0, 0, 10),
                (0, Role::Candidate, 1, 10, 15),
                (0, Role::Leader, 1, 15, 40),
                (1, Role::Follower, 0, 0, 12),
                (1, Role::Follower, 1, 12, 30),
            ]
        );
        let flows: Vec<(u32, u32, u64, u64)> =
            model.flows.iter().map(|f| (f.from, f.to, f.sent_us, f.received_us)).collect();
        assert_eq!(flows, vec![(0, 1, 10, 12), (1, 0, 12, 15)]);
        assert_eq!(model.drops.len(), 1);
        assert_eq!(model.drops[0].sent_us, Some(15));
        assert_eq!(model.cut, vec![Interval { node: 1, start_us: 20, end_us: 40 }]);
        assert_eq!(model.down, vec![Interval { node: 1, start_us: 30, end_us: 40 }]);
        assert_eq!(model.steps.iter().filter(|s| s.text == "crash").count(), 1);
    }
}
