//! Shared helpers for the pinned-output tests: builders that put a node in a
//! chosen Figure 2 state, and constructors for the exact outputs we expect.
//!
//! Every entry's command is `"{index}@{term}"`, so an entry is told apart from
//! any other by its bytes and the expected `Apply` outputs write themselves.

use std::sync::Arc;

use crate::message::{
    AppendEntries, AppendEntriesReply, Conflict, InstallSnapshot, InstallSnapshotReply, RequestVote, RequestVoteReply,
};
use crate::node::Role;
use crate::Persist;
use crate::{Apply, Config, Entry, Instant, Log, LogIndex, Message, Node, NodeId, Output, Term};

/// The seed every test node's RNG starts from (plus its id).
pub(crate) const SEED: u64 = 0x5eed;

/// The start of time.
pub(crate) const T0: Instant = Instant(0);

/// `n` milliseconds after [`T0`].
pub(crate) fn ms(n: u64) -> Instant {
    Instant(n * 1_000)
}

// ---- logs -------------------------------------------------------------------

/// The entry at `index` made in `term`.
pub(crate) fn entry(index: u64, term: u64) -> Entry {
    Entry { term: Term(term), command: format!("{index}@{term}").into_bytes().into() }
}

/// Entries for `first`, `first + 1`, ... with the given terms.
pub(crate) fn entries(first: u64, terms: &[u64]) -> Vec<Entry> {
    (first..).zip(terms).map(|(index, &term)| entry(index, term)).collect()
}

/// A log with no snapshot whose entries 1.. have the given terms.
pub(crate) fn log_of(terms: &[u64]) -> Log {
    Log::from_parts(LogIndex::ZERO, Term::ZERO, entries(1, terms))
}

/// A log compacted up to (`index`, `term`), then live entries with the given terms.
pub(crate) fn compacted_log(index: u64, term: u64, live_terms: &[u64]) -> Log {
    Log::from_parts(LogIndex(index), Term(term), entries(index + 1, live_terms))
}

// ---- nodes ------------------------------------------------------------------

/// Node `id`'s configuration in a cluster of `peers`, with the lab's timings.
pub(crate) fn config(id: u32, peers: u32) -> Config {
    Config::new(NodeId(id), peers, SEED + u64::from(id))
}

/// Everything drained from the node's output queue, in order. Each Persist is
/// carried out on a model of the driver's persister (the node's `saved`) and
/// shown as the whole state it leaves there, so tests compare whole states
/// whether a save handed over all of it or only a tail.
pub(crate) fn drain(node: &mut Node) -> Vec<Output> {
    let mut drained = Vec::new();
    while let Some(output) = node.poll_output() {
        drained.push(match output {
            api::Output::Persist(persist) => {
                assert!(persist.keep_bytes <= node.saved.len(), "a save keeps more than was saved");
                node.saved.truncate(persist.keep_bytes);
                node.saved.extend_from_slice(&persist.raft_state);
                Output::Persist(Persist::whole(node.saved.clone(), persist.snapshot))
            }
            other => typed(other),
        });
    }
    drained
}

/// An output as the tests compare it: its wire message decoded from the bytes
/// (which also checks that the in-process shortcut and the bytes agree).
pub(crate) fn typed(output: api::Output) -> Output {
    let decoded = |wire: &api::WireMessage| {
        let message = Message::decode(&wire.bytes).expect("the core's messages decode");
        assert_eq!((wire.header.term, wire.header.name), (Some(message.term()), message.name()), "the header");
        if let Some(slot) = wire.local.as_ref().and_then(|local| local.downcast_ref::<crate::pool::Slot>()) {
            assert_eq!(slot.as_ref(), Some(&message), "the shortcut is the message the bytes encode");
        }
        message
    };
    match output {
        api::Output::Call { to, message, .. } => Output::Send { to, message: decoded(&message) },
        api::Output::Reply { to, message, .. } => Output::Reply { to, message: decoded(&message) },
        api::Output::Send { .. } => panic!("the core sends no one-way messages"),
        api::Output::Persist(persist) => Output::Persist(persist),
        api::Output::Apply(apply) => Output::Apply(apply),
    }
}

/// A follower with no leader known and no vote, in `term`, holding `log`.
pub(crate) fn follower_with_log(id: u32, peers: u32, term: u64, log: Log) -> Node {
    let mut node = Node::new(config(id, peers), T0);
    node.term = Term(term);
    node.log = log;
    assert_eq!(drain(&mut node), vec![], "a fresh node says nothing");
    node
}

/// A follower in `term` whose log entries 1.. have the given terms.
pub(crate) fn follower(id: u32, peers: u32, term: u64, log_terms: &[u64]) -> Node {
    follower_with_log(id, peers, term, log_of(log_terms))
}

/// A candidate in `term` that has voted for itself and holds only its own vote.
pub(crate) fn candidate(id: u32, peers: u32, term: u64, log_terms: &[u64]) -> Node {
    let mut node = follower(id, peers, term, log_terms);
    node.voted_for = Some(NodeId(id));
    node.role = Role::Candidate { votes: 1 << id };
    node
}

/// A leader of `term` that voted for itself, has just taken office (every
/// follower's next is its last index + 1, nothing matched) and whose opening
/// heartbeats were already drained.
pub(crate) fn leader_with_log(id: u32, peers: u32, term: u64, log: Log) -> Node {
    let mut node = follower_with_log(id, peers, term, log);
    node.voted_for = Some(NodeId(id));
    node.become_leader(T0);
    drain(&mut node);
    node
}

/// A leader of `term` whose log entries 1.. have the given terms.
pub(crate) fn leader(id: u32, peers: u32, term: u64, log_terms: &[u64]) -> Node {
    leader_with_log(id, peers, term, log_of(log_terms))
}

/// Marks everything up to `index` committed and applied.
pub(crate) fn committed(node: &mut Node, index: u64) {
    node.commit_index = LogIndex(index);
    node.last_applied = LogIndex(index);
}

// ---- expected outputs ---------------------------------------------------------

pub(crate) fn send(to: u32, message: Message) -> Output {
    Output::Send { to: NodeId(to), message }
}

pub(crate) fn reply(to: u32, message: Message) -> Output {
    Output::Reply { to: NodeId(to), message }
}

/// The persistent state as a plain struct, encoded afresh with postcard: an
/// independent check of the node's own (cached, incremental) encoding.
#[derive(serde::Serialize)]
pub(crate) struct StateRef<'a> {
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub snapshot_index: LogIndex,
    pub snapshot_term: Term,
    pub entries: &'a [Entry],
}

/// The core's persisted form, written out independently of `persist`: the
/// entries, the trailer, its length, the end mark.
pub(crate) fn encode_state(state: &StateRef<'_>) -> Vec<u8> {
    let mut bytes: Vec<u8> =
        state.entries.iter().flat_map(|entry| postcard::to_stdvec(entry).expect("encodes")).collect();
    let trailer = postcard::to_stdvec(&(
        state.term,
        state.voted_for,
        state.snapshot_index,
        state.snapshot_term,
        state.entries.len() as u64,
    ))
    .expect("encodes");
    bytes.extend_from_slice(&trailer);
    bytes.push(trailer.len() as u8);
    bytes.extend_from_slice(b"rf");
    bytes
}

/// The Persist of exactly this state (and this service snapshot).
pub(crate) fn persist(term: u64, voted_for: Option<u32>, log: &Log, snapshot: &[u8]) -> Output {
    let raft_state = encode_state(&StateRef {
        term: Term(term),
        voted_for: voted_for.map(NodeId),
        snapshot_index: log.snapshot_index(),
        snapshot_term: log.snapshot_term(),
        entries: log.entries(),
    });
    Output::Persist(Persist::whole(raft_state, Arc::from(snapshot)))
}

/// The entry at `index` of `term`, applied.
pub(crate) fn apply(index: u64, term: u64) -> Output {
    let command = entry(index, term).command;
    Output::Apply(Apply::Command { index: LogIndex(index), term: Term(term), command })
}

/// The service told to switch to a snapshot ending at (`index`, `term`).
pub(crate) fn apply_snapshot(index: u64, term: u64, data: &[u8]) -> Output {
    Output::Apply(Apply::Snapshot { index: LogIndex(index), term: Term(term), data: Arc::from(data) })
}

// ---- messages -----------------------------------------------------------------

pub(crate) fn request_vote(term: u64, candidate: u32, last_log_index: u64, last_log_term: u64) -> Message {
    Message::RequestVote(RequestVote {
        term: Term(term),
        candidate: NodeId(candidate),
        last_log_index: LogIndex(last_log_index),
        last_log_term: Term(last_log_term),
    })
}

pub(crate) fn vote(term: u64, vote_granted: bool) -> Message {
    Message::RequestVoteReply(RequestVoteReply { term: Term(term), vote_granted })
}

pub(crate) fn append(
    term: u64,
    leader: u32,
    (prev_log_index, prev_log_term): (u64, u64),
    entries: Vec<Entry>,
    leader_commit: u64,
) -> Message {
    Message::AppendEntries(AppendEntries {
        term: Term(term),
        leader: NodeId(leader),
        prev_log_index: LogIndex(prev_log_index),
        prev_log_term: Term(prev_log_term),
        entries,
        leader_commit: LogIndex(leader_commit),
    })
}

/// An AppendEntries with no entries.
pub(crate) fn heartbeat(term: u64, leader: u32, prev: (u64, u64), leader_commit: u64) -> Message {
    append(term, leader, prev, Vec::new(), leader_commit)
}

/// An AppendEntries reply saying the follower matches the leader up to `match_index`.
pub(crate) fn accepted(term: u64, prev_log_index: u64, match_index: u64) -> Message {
    Message::AppendEntriesReply(AppendEntriesReply {
        term: Term(term),
        success: true,
        prev_log_index: LogIndex(prev_log_index),
        match_index: LogIndex(match_index),
        conflict: None,
    })
}

/// An AppendEntries reply refusing the request, with or without a fast-backup hint.
pub(crate) fn rejected(term: u64, prev_log_index: u64, conflict: Option<Conflict>) -> Message {
    Message::AppendEntriesReply(AppendEntriesReply {
        term: Term(term),
        success: false,
        prev_log_index: LogIndex(prev_log_index),
        match_index: LogIndex::ZERO,
        conflict,
    })
}

/// The fast-backup hint: XTerm, XIndex, XLen.
pub(crate) fn conflict(term: Option<u64>, first_index: u64, log_len: u64) -> Option<Conflict> {
    Some(Conflict { term: term.map(Term), first_index: LogIndex(first_index), log_len })
}

pub(crate) fn install_snapshot(term: u64, leader: u32, last_included: (u64, u64), data: &[u8]) -> Message {
    Message::InstallSnapshot(InstallSnapshot {
        term: Term(term),
        leader: NodeId(leader),
        last_included_index: LogIndex(last_included.0),
        last_included_term: Term(last_included.1),
        data: data.to_vec(),
    })
}

pub(crate) fn installed(term: u64, last_included_index: u64) -> Message {
    Message::InstallSnapshotReply(InstallSnapshotReply {
        term: Term(term),
        last_included_index: LogIndex(last_included_index),
    })
}
