//! From the typed trace to a timeline: each node's role and term over
//! virtual time (from the state after each of its steps, §5.1), when it was
//! down (crashed) or cut off (disconnected), every message as a flow from
//! its send to its delivery (paired by message id), the drops with their
//! reasons, and the test's own steps. The Perfetto and SVG renderers draw
//! this model.

use std::collections::BTreeMap;

pub use api::Role;
use tester::trace::{Fault, MessageId, NodeView, TestStep, TraceEvent, Traced};

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
    /// The message's header name (`AppendEntries`).
    pub name: &'static str,
    /// The node's one-line summary of it.
    pub msg: String,
    pub sent_us: u64,
    pub received_us: u64,
}

/// A message the network dropped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub from: u32,
    pub to: u32,
    pub name: &'static str,
    pub msg: String,
    pub sent_us: Option<u64>,
    pub at_us: u64,
    pub why: &'static str,
}

/// What kind of test step a mark is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Begin,
    Warning,
    Heal,
    Connect,
    Disconnect,
    Crash,
    Restart,
    Network,
    Failure,
}

/// One of the test's steps: begin, connect, disconnect, crash, restart, warning, failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at_us: u64,
    pub node: Option<u32>,
    pub mark: Mark,
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
    down_since: Option<u64>,
    cut_since: Option<u64>,
}

struct Builder<'a> {
    model: Model,
    nodes: Vec<NodeState>,
    sent: BTreeMap<MessageId, (u64, &'static str, &'a str)>,
}

/// Builds the timeline of a run of `servers` nodes that ended at `end_us`.
pub fn build(trace: &[Traced], servers: usize, end_us: u64) -> Model {
    let mut builder = Builder {
        model: Model { servers, end_us, ..Model::default() },
        nodes: (0..servers).map(|_| NodeState::default()).collect(),
        sent: BTreeMap::new(),
    };
    for traced in trace {
        builder.event(traced.at.micros(), &traced.event);
    }
    builder.finish()
}

/// The role a view shows; a node without inspection that does not lead counts as a follower.
fn role_of(view: &NodeView) -> Role {
    view.role().unwrap_or(Role::Follower)
}

impl<'a> Builder<'a> {
    fn known(&self, node: u32) -> bool {
        (node as usize) < self.nodes.len()
    }

    fn event(&mut self, at: u64, event: &'a TraceEvent) {
        match event {
            TraceEvent::Step { node, after, .. } if self.known(*node) => {
                self.set_role(*node, role_of(after), after.term, at)
            }
            TraceEvent::Restored { node, state } if self.known(*node) => {
                if let Some(since) = self.nodes[*node as usize].down_since.take() {
                    self.push_interval(true, *node, since, at);
                }
                self.set_role(*node, role_of(state), state.term, at);
            }
            TraceEvent::Sent { id, name, summary, .. } => {
                self.sent.insert(*id, (at, name, summary.as_str()));
            }
            TraceEvent::Delivered { id, from, to } => {
                if let Some(&(sent_us, name, msg)) = self.sent.get(id) {
                    let msg = msg.to_string();
                    self.model.flows.push(Flow { from: *from, to: *to, name, msg, sent_us, received_us: at });
                }
            }
            TraceEvent::Lost { id, from, to, reason } => {
                let (sent_us, name, msg) = match self.sent.get(id) {
                    Some(&(sent_us, name, msg)) => (Some(sent_us), name, msg.to_string()),
                    None => (None, "?", "?".to_string()),
                };
                let why = reason.name();
                self.model.drops.push(Dropped { from: *from, to: *to, name, msg, sent_us, at_us: at, why });
            }
            TraceEvent::Fault(fault) => self.fault(at, fault),
            TraceEvent::Test(step) => {
                let (mark, text) = match step {
                    TestStep::Begin(description) => (Mark::Begin, format!("begin {description}")),
                    TestStep::Warning(text) => (Mark::Warning, format!("warning {text}")),
                    TestStep::Heal { bound_ms } => (Mark::Heal, format!("heal (progress due within {bound_ms} ms)")),
                };
                self.model.steps.push(Step { at_us: at, node: None, mark, text });
            }
            TraceEvent::Failed(failure) => {
                let text = format!("FAIL {failure}");
                self.model.steps.push(Step { at_us: at, node: None, mark: Mark::Failure, text });
            }
            _ => {}
        }
    }

    fn fault(&mut self, at: u64, fault: &Fault) {
        let (node, mark, text) = match *fault {
            Fault::Connect(node) => (Some(node), Mark::Connect, "connect".to_string()),
            Fault::Disconnect(node) => (Some(node), Mark::Disconnect, "disconnect".to_string()),
            Fault::Crash(node) => (Some(node), Mark::Crash, "crash".to_string()),
            Fault::Restart(node) => (Some(node), Mark::Restart, "restart".to_string()),
            Fault::Unreliable(on) => {
                (None, Mark::Network, format!("network {}", if on { "unreliable" } else { "reliable" }))
            }
            Fault::LongReordering(on) => {
                (None, Mark::Network, format!("long reordering {}", if on { "on" } else { "off" }))
            }
        };
        if let Some(node) = node.filter(|node| self.known(*node)) {
            let state = &mut self.nodes[node as usize];
            match mark {
                Mark::Disconnect => {
                    state.cut_since.get_or_insert(at);
                }
                Mark::Connect => {
                    if let Some(since) = state.cut_since.take() {
                        self.push_interval(false, node, since, at);
                    }
                }
                Mark::Crash => {
                    self.close_role(node, at);
                    self.nodes[node as usize].down_since = Some(at);
                }
                _ => {}
            }
        }
        self.model.steps.push(Step { at_us: at, node, mark, text });
    }

    fn set_role(&mut self, node: u32, role: Role, term: u64, at: u64) {
        let state = &mut self.nodes[node as usize];
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, request, view};
    use super::*;
    use tester::trace::{Input, LossReason};

    fn step(node: u32, term: u64, role: Role) -> TraceEvent {
        let before = view(0, Role::Follower, None, 0);
        TraceEvent::Step { node, input: Input::Timeout, before, after: view(term, role, None, 0) }
    }

    #[test]
    fn roles_terms_flows_and_drops() {
        let trace = vec![
            at(0, TraceEvent::Restored { node: 0, state: view(0, Role::Follower, None, 0) }),
            at(0, TraceEvent::Restored { node: 1, state: view(0, Role::Follower, None, 0) }),
            at(0, TraceEvent::Fault(Fault::Connect(0))),
            at(0, TraceEvent::Fault(Fault::Connect(1))),
            at(10, step(0, 1, Role::Candidate)),
            at(10, request(1, 0, 1, 1)),
            at(12, TraceEvent::Delivered { id: MessageId(1), from: 0, to: 1 }),
            at(12, step(1, 1, Role::Follower)),
            at(15, step(0, 1, Role::Leader)),
            at(15, request(2, 0, 1, 1)),
            at(15, TraceEvent::Lost { id: MessageId(2), from: 0, to: 1, reason: LossReason::RequestDropped }),
            at(20, TraceEvent::Fault(Fault::Disconnect(1))),
            at(30, TraceEvent::Fault(Fault::Crash(1))),
        ];
        let model = build(&trace, 2, 40);
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
        assert_eq!(flows, vec![(0, 1, 10, 12)]);
        assert_eq!(model.drops.len(), 1);
        assert_eq!((model.drops[0].sent_us, model.drops[0].why), (Some(15), "request dropped"));
        assert_eq!(model.cut, vec![Interval { node: 1, start_us: 20, end_us: 40 }]);
        assert_eq!(model.down, vec![Interval { node: 1, start_us: 30, end_us: 40 }]);
        assert_eq!(model.steps.iter().filter(|s| s.mark == Mark::Crash).count(), 1);
    }
}
