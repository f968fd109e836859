//! `--timeline FILE.json`: the run as a Chrome trace-event file, which
//! Perfetto (ui.perfetto.dev) and chrome://tracing open.
//!
//! One process, the run; one track (thread) per node, `n0`, `n1`, ..., and a
//! `test` track for the test's own steps. On a node's track, spans named
//! `term N` (Perfetto colors a span by its name, so every term has its own
//! color) hold the role spans `follower`, `candidate`, `leader`; inside
//! those, every message sent or received is a zero-length `send X` or
//! `recv X` slice, and a flow arrow (`s` → `f`) joins a send to its delivery.
//! A dropped message is an instant event on its sender's track. Down and
//! disconnected periods are async spans (`n1 down`, `n1 disconnected`), which
//! may overlap. Times are virtual microseconds.

use serde_json::{json, Value};

use super::model::{Model, RoleSpan};

const PID: u64 = 1;
const TEST_TID: u64 = 0;

/// Legacy chrome://tracing color names, one per term (Perfetto colors by name instead).
const TERM_COLORS: [&str; 8] =
    ["grey", "rail_response", "rail_animation", "rail_idle", "rail_load", "startup", "olive", "yellow"];

fn node_tid(node: u32) -> u64 {
    u64::from(node) + 1
}

fn term_color(term: u64) -> &'static str {
    TERM_COLORS[(term % TERM_COLORS.len() as u64) as usize]
}

/// The trace-event file's contents: `{"traceEvents": [...], ...}`, one event per line.
pub fn render(model: &Model, title: &str, outcome: &str) -> String {
    let mut events = metadata(model, title);
    events.extend(role_events(model));
    events.extend(message_events(model));
    events.extend(interval_events(model));
    events.extend(step_events(model, outcome));
    let mut text = String::from("{\"displayTimeUnit\":\"ms\",");
    text.push_str(&format!("\"otherData\":{},\n\"traceEvents\":[\n", json!({ "title": title, "outcome": outcome })));
    for (i, event) in events.iter().enumerate() {
        text.push_str(&event.to_string());
        text.push_str(if i + 1 < events.len() { ",\n" } else { "\n" });
    }
    text.push_str("]}\n");
    text
}

fn metadata(model: &Model, title: &str) -> Vec<Value> {
    let mut events = vec![
        json!({"ph": "M", "pid": PID, "name": "process_name", "args": {"name": title}}),
        json!({"ph": "M", "pid": PID, "tid": TEST_TID, "name": "thread_name", "args": {"name": "test"}}),
        json!({"ph": "M", "pid": PID, "tid": TEST_TID, "name": "thread_sort_index", "args": {"sort_index": 0}}),
    ];
    for node in 0..model.servers as u32 {
        let tid = node_tid(node);
        events.push(
            json!({"ph": "M", "pid": PID, "tid": tid, "name": "thread_name", "args": {"name": format!("n{node}")}}),
        );
        events
            .push(json!({"ph": "M", "pid": PID, "tid": tid, "name": "thread_sort_index", "args": {"sort_index": tid}}));
    }
    events
}

/// `term N` spans (runs of role spans of one term, without a gap), each holding its role spans.
fn role_events(model: &Model) -> Vec<Value> {
    let mut events = Vec::new();
    let mut i = 0;
    while i < model.spans.len() {
        let first = &model.spans[i];
        let mut j = i + 1;
        while j < model.spans.len() && same_term_run(&model.spans[j - 1], &model.spans[j]) {
            j += 1;
        }
        let end = model.spans[j - 1].end_us;
        events.push(json!({
            "ph": "X", "pid": PID, "tid": node_tid(first.node), "cat": "term",
            "name": format!("term {}", first.term), "ts": first.start_us, "dur": end - first.start_us,
            "cname": term_color(first.term), "args": {"term": first.term},
        }));
        for span in &model.spans[i..j] {
            events.push(json!({
                "ph": "X", "pid": PID, "tid": node_tid(span.node), "cat": "role",
                "name": span.role.name(), "ts": span.start_us, "dur": span.end_us - span.start_us,
                "cname": term_color(span.term), "args": {"term": span.term, "role": span.role.name()},
            }));
        }
        i = j;
    }
    events
}

fn same_term_run(a: &RoleSpan, b: &RoleSpan) -> bool {
    a.node == b.node && a.term == b.term && a.end_us == b.start_us
}

/// Send and delivery slices joined by flow arrows; drops as instants.
fn message_events(model: &Model) -> Vec<Value> {
    let mut events = Vec::new();
    for (id, flow) in model.flows.iter().enumerate() {
        let kind = flow.name;
        let args = json!({"from": flow.from, "to": flow.to, "msg": flow.msg});
        let (from, to) = (node_tid(flow.from), node_tid(flow.to));
        events.push(json!({"ph": "X", "pid": PID, "tid": from, "cat": "msg", "name": format!("send {kind}"), "ts": flow.sent_us, "dur": 0, "args": args}));
        events.push(json!({"ph": "X", "pid": PID, "tid": to, "cat": "msg", "name": format!("recv {kind}"), "ts": flow.received_us, "dur": 0, "args": args}));
        events.push(
            json!({"ph": "s", "pid": PID, "tid": from, "cat": "msg", "name": kind, "id": id, "ts": flow.sent_us}),
        );
        events.push(json!({"ph": "f", "bp": "e", "pid": PID, "tid": to, "cat": "msg", "name": kind, "id": id, "ts": flow.received_us}));
    }
    for drop in &model.drops {
        events.push(json!({
            "ph": "i", "s": "t", "pid": PID, "tid": node_tid(drop.from), "cat": "drop",
            "name": format!("drop {}", drop.name), "ts": drop.at_us,
            "args": {"from": drop.from, "to": drop.to, "msg": drop.msg, "why": drop.why, "sent_us": drop.sent_us},
        }));
    }
    events
}

/// Down and disconnected periods, as async spans (they may overlap one another).
fn interval_events(model: &Model) -> Vec<Value> {
    let mut events = Vec::new();
    let lists = [("down", &model.down), ("disconnected", &model.cut)];
    let mut id = 0u64;
    for (what, list) in lists {
        for interval in list {
            let name = format!("n{} {what}", interval.node);
            id += 1;
            events.push(json!({"ph": "b", "pid": PID, "cat": what, "name": name, "id": id, "ts": interval.start_us}));
            events.push(json!({"ph": "e", "pid": PID, "cat": what, "name": name, "id": id, "ts": interval.end_us}));
        }
    }
    events
}

/// The test's steps on the test track; the outcome across every track.
fn step_events(model: &Model, outcome: &str) -> Vec<Value> {
    let mut events: Vec<Value> = model
        .steps
        .iter()
        .map(|step| {
            let name = match step.node {
                Some(node) => format!("n{node} {}", step.text),
                None => step.text.clone(),
            };
            json!({"ph": "i", "s": "t", "pid": PID, "tid": TEST_TID, "cat": "test", "name": name, "ts": step.at_us})
        })
        .collect();
    events.push(
        json!({"ph": "i", "s": "g", "pid": PID, "tid": TEST_TID, "cat": "test", "name": outcome, "ts": model.end_us}),
    );
    events
}
