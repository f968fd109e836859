//! Hand-built pieces of a typed trace for the renderers' unit tests.

use api::{CallId, Role, Term};
use sim::Time;
use tester::trace::{Inspected, MessageId, MessageKind, NodeView, TraceEvent, Traced};

/// An inspectable node's state (applied and last index at the commit index).
pub(crate) fn view(term: u64, role: Role, vote: Option<u32>, commit: u64) -> NodeView {
    let inspected =
        Inspected { role, vote, commit, applied: commit, last_index: commit, last_term: term, snapshot_index: 0 };
    NodeView { term, leader: role == Role::Leader, inspected: Some(inspected) }
}

/// An event at a virtual time.
pub(crate) fn at(time_us: u64, event: TraceEvent) -> Traced {
    Traced { at: Time::from_micros(time_us), event }
}

/// A request (call id = message id) carrying `term`.
pub(crate) fn request(id: u64, from: u32, to: u32, term: u64) -> TraceEvent {
    TraceEvent::Sent {
        id: MessageId(id),
        from,
        to,
        kind: MessageKind::Request,
        call: Some(CallId(id)),
        term: Some(Term(term)),
        name: "Request",
        summary: format!("Request(t{term})"),
        bytes: 3,
    }
}
