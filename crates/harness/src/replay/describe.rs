//! From the typed trace to what people read: one [`Row`] per event, with
//! the node it happened on, that node's term and role, a line of text, the
//! shorter text a column has room for, and its topics (what `--topics`
//! filters on and what picks its color). Every renderer of text (lines,
//! columns, the tail, the determinism diff, the golden transcripts) shows
//! these rows, so they all say the same thing.
//!
//! Nothing here reads a node's message *names*: a message's topic comes
//! from Raft's roles (§5.2: a candidate's requests ask for votes; a
//! leader's requests carry entries, §5.3), a reply takes its request's
//! topic (paired by call id), and a leader's request whose handling moved
//! the receiver's snapshot index is a snapshot install (§7). A step that
//! changed none of the state a row shows (a heartbeat to an up-to-date
//! follower) is *quiet*: the readable views skip it, JSON keeps it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use api::{CallId, Role};
use tester::trace::{EntryRecord, Fault, Input, MessageId, MessageKind, NodeView, TestStep, TraceEvent, Traced};

use super::filter::{Topic, Topics};

/// How a row stands out in color.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Colored by its topic.
    Topic,
    /// A message on the wire (dimmed).
    Wire,
    /// A node became leader.
    Won,
    Warning,
    Failure,
}

/// One event, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub time_us: u64,
    /// The node it happened on (`None`: the test's own step).
    pub node: Option<u32>,
    /// That node's term and role (role `None`: a node without inspection that does not lead).
    pub state: Option<(u64, Option<Role>)>,
    /// The line's text after the state.
    pub text: String,
    /// The column's text after the state.
    pub cell: String,
    /// The topic that names it best (its color), then all of them.
    pub primary: Topic,
    pub topics: Topics,
    pub tone: Tone,
    /// A step that changed nothing shown.
    pub quiet: bool,
}

/// What the trace says about one message.
#[derive(Clone, Debug)]
struct Message<'a> {
    summary: &'a str,
    topic: Topic,
    /// A candidate's request (it asks for a vote, §5.2): the candidate and the term it carries.
    ask: Option<(u32, u64)>,
}

/// The messages of a run by id, with their topics.
struct Messages<'a>(BTreeMap<MessageId, Message<'a>>);

impl<'a> Messages<'a> {
    fn of(trace: &'a [Traced]) -> Messages<'a> {
        let mut views: BTreeMap<u32, NodeView> = BTreeMap::new();
        let mut messages = BTreeMap::new();
        let mut open: BTreeMap<(u32, u32, CallId), MessageId> = BTreeMap::new();
        let mut reply_to: BTreeMap<MessageId, MessageId> = BTreeMap::new();
        let mut snapshots: BTreeSet<MessageId> = BTreeSet::new();
        for traced in trace {
            match &traced.event {
                TraceEvent::Step { node, input, before, after } => {
                    if let (Input::Message(id), Some(b), Some(a)) = (input, before.inspected, after.inspected) {
                        if a.snapshot_index > b.snapshot_index {
                            snapshots.insert(*id);
                        }
                    }
                    views.insert(*node, *after);
                }
                TraceEvent::Restored { node, state } => {
                    views.insert(*node, *state);
                }
                TraceEvent::Sent { id, from, to, kind, call, summary, term, .. } => {
                    let topic = match (kind, call) {
                        (MessageKind::Reply, Some(call)) => open
                            .get(&(*to, *from, *call))
                            .map(|request| {
                                reply_to.insert(*id, *request);
                                messages.get(request).map_or(Topic::Net, |m: &Message<'_>| m.topic)
                            })
                            .unwrap_or(Topic::Net),
                        _ => match views.get(from).and_then(NodeView::role) {
                            Some(Role::Candidate) => Topic::Vote,
                            Some(Role::Leader) => Topic::Append,
                            _ => Topic::Net,
                        },
                    };
                    if let (MessageKind::Request, Some(call)) = (kind, call) {
                        open.insert((*from, *to, *call), *id);
                    }
                    let ask = match (kind, term) {
                        (MessageKind::Request, Some(term)) if topic == Topic::Vote => Some((*from, term.0)),
                        _ => None,
                    };
                    messages.insert(*id, Message { summary, topic, ask });
                }
                _ => {}
            }
        }
        for (reply, request) in &reply_to {
            if snapshots.contains(request) {
                snapshots.insert(*reply);
            }
        }
        for id in snapshots {
            if let Some(message) = messages.get_mut(&id) {
                message.topic = Topic::Snapshot;
            }
        }
        Messages(messages)
    }
}

/// The rows of a whole trace, one per event, in order.
pub fn rows(trace: &[Traced]) -> Vec<Row> {
    let messages = Messages::of(trace);
    let mut views: BTreeMap<u32, NodeView> = BTreeMap::new();
    let mut rows = Vec::with_capacity(trace.len());
    for traced in trace {
        let row = row(traced, &messages, &views);
        match &traced.event {
            TraceEvent::Step { node, after, .. } => {
                views.insert(*node, *after);
            }
            TraceEvent::Restored { node, state } => {
                views.insert(*node, *state);
            }
            _ => {}
        }
        rows.push(row);
    }
    rows
}

fn topics(list: &[Topic]) -> Topics {
    list.iter().fold(Topics::default(), |topics, topic| topics.with(*topic))
}

/// A row of a node, or of the test, with one text for line and column.
fn plain(time_us: u64, node: Option<u32>, text: String, list: &[Topic]) -> Row {
    Row {
        time_us,
        node,
        state: None,
        cell: text.clone(),
        text,
        primary: list[0],
        topics: topics(list),
        tone: Tone::Topic,
        quiet: false,
    }
}

fn state_of(view: &NodeView) -> (u64, Option<Role>) {
    (view.term, view.role())
}

fn row(traced: &Traced, messages: &Messages<'_>, views: &BTreeMap<u32, NodeView>) -> Row {
    let at = traced.at.micros();
    match &traced.event {
        TraceEvent::Step { node, input, before, after } => {
            let ask = match input {
                Input::Message(id) => messages.0.get(id).and_then(|message| message.ask),
                _ => None,
            };
            step(at, *node, input, (before, after), ask)
        }
        TraceEvent::Sent { id, from, to, summary, .. } => {
            let topic = messages.0.get(id).map_or(Topic::Net, |message| message.topic);
            wire(at, *from, format!("send #{} → n{to}  {summary}", id.0), format!("→n{to} {summary}"), topic)
        }
        TraceEvent::Delivered { id, from, to } => {
            let (summary, topic) = summary_of(messages, *id);
            wire(at, *to, format!("recv #{} ← n{from}  {summary}", id.0), format!("←n{from} {summary}"), topic)
        }
        TraceEvent::Lost { id, from, to, reason } => {
            let (summary, topic) = summary_of(messages, *id);
            let why = reason.name();
            let mut row = wire(
                at,
                *from,
                format!("lost #{} → n{to}  {summary}  why={why}", id.0),
                format!("✗→n{to} {summary} why={why}"),
                topic,
            );
            row.primary = Topic::Drop;
            row.topics = row.topics.with(Topic::Drop);
            row.tone = Tone::Topic;
            row
        }
        TraceEvent::Started { node, index, term, value } => {
            let mut row = plain(
                at,
                Some(*node),
                format!("start: index {index} (t{term}) value {value}"),
                &[Topic::Client, Topic::Append],
            );
            row.state = views.get(node).map(state_of);
            row
        }
        TraceEvent::Applied { node, index, term, command, .. } => {
            let what = match command {
                Some(value) => format!("value {value}"),
                None => "an internal entry".to_string(),
            };
            plain(at, Some(*node), format!("apply index {index} (t{term}) {what}"), &[Topic::Apply])
        }
        TraceEvent::SnapshotInstalled { node, index, term } => plain(
            at,
            Some(*node),
            format!("apply snapshot through index {index} (t{term})"),
            &[Topic::Apply, Topic::Snapshot],
        ),
        TraceEvent::SnapshotTaken { node, index } => {
            plain(at, Some(*node), format!("service snapshot through index {index}"), &[Topic::Snapshot])
        }
        TraceEvent::LogChanged { node, truncated_from, appended } => {
            plain(at, Some(*node), log_change(*truncated_from, appended), &[Topic::Append])
        }
        TraceEvent::Restored { node, state } => {
            plain(at, Some(*node), format!("restored: {}", view_text(state)), &[Topic::Test])
        }
        TraceEvent::Fault(fault) => fault_row(at, fault),
        TraceEvent::Test(step) => test_row(at, step),
        TraceEvent::Failed(failure) => {
            let text = format!("FAIL check={} reason={}", failure.check, failure.reason);
            Row { tone: Tone::Failure, ..plain(at, None, text, &[Topic::Test]) }
        }
    }
}

fn summary_of<'a>(messages: &'a Messages<'_>, id: MessageId) -> (&'a str, Topic) {
    messages.0.get(&id).map_or(("?", Topic::Net), |message| (message.summary, message.topic))
}

fn wire(time_us: u64, node: u32, text: String, cell: String, topic: Topic) -> Row {
    let list: &[Topic] = if topic == Topic::Net { &[Topic::Net] } else { &[topic, Topic::Net] };
    Row { cell, tone: Tone::Wire, ..plain(time_us, Some(node), text, list) }
}

fn test_row(time_us: u64, step: &TestStep) -> Row {
    let (text, tone) = match step {
        TestStep::Begin(description) => (format!("begin {description}"), Tone::Topic),
        TestStep::Warning(text) => (format!("warning: {text}"), Tone::Warning),
        TestStep::Heal { bound_ms } => {
            (format!("heal: every fault undone, progress due within {bound_ms} ms"), Tone::Topic)
        }
    };
    Row { tone, ..plain(time_us, None, text, &[Topic::Test]) }
}

fn fault_row(time_us: u64, fault: &Fault) -> Row {
    let (node, text) = match fault {
        Fault::Connect(node) => (Some(*node), "connect".to_string()),
        Fault::Disconnect(node) => (Some(*node), "disconnect".to_string()),
        Fault::Crash(node) => (Some(*node), "crash".to_string()),
        Fault::Restart(node) => (Some(*node), "restart".to_string()),
        Fault::Unreliable(true) => (None, "network unreliable".to_string()),
        Fault::Unreliable(false) => (None, "network reliable".to_string()),
        Fault::LongReordering(on) => (None, format!("long reordering {}", if *on { "on" } else { "off" })),
    };
    plain(time_us, node, text, &[Topic::Test])
}

/// A node's state in words: `t3, vote n0, commit 4, log 7/t3, snapshot 2`.
fn view_text(view: &NodeView) -> String {
    let mut text = format!("t{}", view.term);
    match view.inspected {
        Some(inspected) => {
            text.push_str(&format!(" {}", inspected.role.name()));
            if let Some(vote) = inspected.vote {
                text.push_str(&format!(", vote n{vote}"));
            }
            let _ = write!(
                text,
                ", commit {}, log {}/t{}, snapshot {}",
                inspected.commit, inspected.last_index, inspected.last_term, inspected.snapshot_index
            );
        }
        None if view.leader => text.push_str(" leader"),
        None => {}
    }
    text
}

/// `log: dropped from 5, appended 5..7 (t2:102 t3:103 t3:104)`; long appends by their bounds.
fn log_change(truncated_from: Option<u64>, appended: &[EntryRecord]) -> String {
    let mut parts = Vec::new();
    if let Some(from) = truncated_from {
        parts.push(format!("dropped from {from}"));
    }
    if let (Some(first), Some(last)) = (appended.first(), appended.last()) {
        let entry = |entry: &EntryRecord| match &entry.command {
            Some(value) => format!("t{}:{value}", entry.term),
            None => format!("t{}:internal", entry.term),
        };
        let range = if first.index == last.index {
            format!("{}", first.index)
        } else {
            format!("{}..{}", first.index, last.index)
        };
        let what = if appended.len() <= 3 {
            appended.iter().map(entry).collect::<Vec<_>>().join(" ")
        } else {
            format!("{} entries, {} … {}", appended.len(), entry(first), entry(last))
        };
        parts.push(format!("appended {range} ({what})"));
    }
    format!("log: {}", parts.join(", "))
}

/// What a step changed, in Raft's words (§5.1–5.3): stood for election, became
/// leader, stepped down, the term, the vote, the commit index, the snapshot.
/// Why a voter in state `before` (then `after`) did not grant `candidate` its vote for `term`
/// (§5.2, §5.4.1), or `None` if it did.
pub fn denial(before: &NodeView, after: &NodeView, candidate: u32, term: u64) -> Option<&'static str> {
    let voted = after.inspected.and_then(|inspected| inspected.vote);
    if after.term == term && voted == Some(candidate) {
        return None;
    }
    Some(if before.term > term {
        "stale term"
    } else if after.term == term && voted.is_some() {
        "already voted"
    } else {
        "log not up to date"
    })
}

/// `ask`: the step handled a candidate's request (candidate, term).
fn step(
    time_us: u64,
    node: u32,
    input: &Input,
    (before, after): (&NodeView, &NodeView),
    ask: Option<(u32, u64)>,
) -> Row {
    let (was, now) = (before.role(), after.role());
    let mut changes = Vec::new();
    let mut list = Vec::new();
    let mut tone = Tone::Topic;
    if matches!(input, Input::Timeout) {
        list.push(Topic::Timer);
    }
    if now != was || (now == Some(Role::Candidate) && after.term != before.term) {
        match now {
            Some(Role::Candidate) => {
                changes.push("stood for election".to_string());
                list.extend([Topic::Vote, Topic::Role]);
            }
            Some(Role::Leader) => {
                changes.push("became leader".to_string());
                list.extend([Topic::Role, Topic::Vote]);
                tone = Tone::Won;
            }
            _ if matches!(was, Some(Role::Leader | Role::Candidate)) => {
                changes.push("stepped down".to_string());
                list.push(Topic::Role);
            }
            _ => {}
        }
    }
    if after.term != before.term {
        changes.push(format!("term {}→{}", before.term, after.term));
        list.push(Topic::Role);
    }
    if let (Some(b), Some(a)) = (before.inspected, after.inspected) {
        if let Some(vote) = a.vote.filter(|vote| a.vote != b.vote && *vote != node) {
            changes.push(format!("voted for n{vote}"));
            list.push(Topic::Vote);
        }
        if a.commit != b.commit {
            changes.push(format!("commit {}→{}", b.commit, a.commit));
            list.push(Topic::Commit);
        }
        if a.snapshot_index != b.snapshot_index {
            changes.push(format!("snapshot {}→{}", b.snapshot_index, a.snapshot_index));
            list.push(Topic::Snapshot);
        }
        if let Some(why) = ask.and_then(|(candidate, term)| {
            denial(before, after, candidate, term)
                .map(|why| format!("denied n{candidate} its vote for term {term} ({why})"))
        }) {
            changes.push(why);
            list.push(Topic::Vote);
        }
    }
    let quiet = changes.is_empty();
    if list.is_empty() {
        list.push(Topic::Role);
    }
    let cause = match input {
        Input::Timeout => "timeout".to_string(),
        Input::Message(id) => format!("recv #{}", id.0),
        Input::CallFailed { to, call } => format!("call {call} to n{to} failed"),
        Input::Start => "start".to_string(),
        Input::Snapshot { index } => format!("snapshot({index})"),
    };
    let text = if quiet { cause } else { format!("{cause}: {}", changes.join(", ")) };
    Row { state: Some(state_of(after)), tone, quiet, ..plain(time_us, Some(node), text, &list) }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::view;
    use super::*;

    #[test]
    fn a_step_says_what_changed() {
        let follower = |term, vote| view(term, Role::Follower, vote, 0);
        let candidate = |term| view(term, Role::Candidate, Some(1), 0);
        let standing = step(5, 1, &Input::Timeout, (&follower(0, None), &candidate(1)), None);
        assert_eq!(standing.text, "timeout: stood for election, term 0→1");
        assert_eq!(standing.state, Some((1, Some(Role::Candidate))));
        assert_eq!(standing.primary, Topic::Timer);
        assert!(standing.topics.contains(Topic::Vote) && !standing.quiet);
        let again = step(6, 1, &Input::Timeout, (&candidate(1), &candidate(2)), None);
        assert_eq!(again.text, "timeout: stood for election, term 1→2", "a candidate standing again");
        let msg = Input::Message(MessageId(3));
        let vote = step(6, 0, &msg, (&follower(0, None), &follower(1, Some(1))), Some((1, 1)));
        assert_eq!(vote.text, "recv #3: term 0→1, voted for n1");
        let stale = step(6, 0, &msg, (&follower(4, None), &follower(4, None)), Some((1, 3)));
        assert_eq!(stale.text, "recv #3: denied n1 its vote for term 3 (stale term)");
        assert!(!stale.quiet && stale.topics.contains(Topic::Vote));
        let taken = step(6, 0, &msg, (&follower(3, Some(2)), &follower(3, Some(2))), Some((1, 3)));
        assert_eq!(taken.text, "recv #3: denied n1 its vote for term 3 (already voted)");
        let behind = step(6, 0, &msg, (&follower(2, None), &follower(3, None)), Some((1, 3)));
        assert_eq!(behind.text, "recv #3: term 2→3, denied n1 its vote for term 3 (log not up to date)");
        let leader = view(1, Role::Leader, Some(0), 2);
        assert!(step(7, 0, &Input::Timeout, (&leader, &leader), None).quiet);
        let won = step(8, 1, &Input::Message(MessageId(4)), (&candidate(1), &view(1, Role::Leader, Some(1), 0)), None);
        assert_eq!((won.text.as_str(), won.tone), ("recv #4: became leader", Tone::Won));
    }

    #[test]
    fn log_changes_name_their_entries() {
        let entry = |index, term, value: i64| EntryRecord {
            index,
            term,
            command: Some(tester::Value::Int(value)),
            bytes: std::sync::Arc::from(&[][..]),
        };
        assert_eq!(log_change(None, &[entry(1, 1, 101)]), "log: appended 1 (t1:101)");
        assert_eq!(
            log_change(Some(2), &[entry(2, 3, 5), entry(3, 3, 6)]),
            "log: dropped from 2, appended 2..3 (t3:5 t3:6)"
        );
        let many: Vec<EntryRecord> = (1..=5).map(|i| entry(i, 2, i as i64)).collect();
        assert_eq!(log_change(None, &many), "log: appended 1..5 (5 entries, t2:1 … t2:5)");
        assert_eq!(log_change(Some(4), &[]), "log: dropped from 4");
    }
}
