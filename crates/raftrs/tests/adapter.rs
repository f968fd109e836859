//! The adapter's own promises, one node at a time: election timeouts come
//! from the node's seed (never raft-rs's thread_rng), Start and ApplyMsg
//! speak the lab's numbering (the leader's empty entry hidden), and a request
//! raft-rs drops still gets its reply.

use std::sync::Arc;

use api::{Apply, CallId, Delivery, Factory, Header, Instant, LogIndex, MakeArgs, Node, NodeId, Output, Term};
use protobuf::Message as _;
use raft_rs::eraftpb::{Message, MessageType};
use raftrs::{RaftRsFactory, Variant};

fn make(me: u32, peers: u32, seed: u64) -> Box<dyn Node> {
    let args = MakeArgs {
        me: NodeId(me),
        peers,
        now: Instant(0),
        rng_seed: seed,
        raft_state: Vec::new(),
        snapshot: Arc::from(Vec::new()),
    };
    RaftRsFactory::new(Variant::Plain).make(args).expect("a fresh node")
}

fn drain(node: &mut dyn Node) -> Vec<Output> {
    std::iter::from_fn(|| node.poll_output()).collect()
}

/// Drives timeouts until the node first asks for votes; returns when.
fn first_campaign(node: &mut dyn Node) -> Instant {
    for _ in 0..1000 {
        let at = node.poll_timeout().expect("a raft-rs node always ticks");
        node.handle_timeout(at);
        let asked = drain(node)
            .iter()
            .any(|out| matches!(out, Output::Call { message, .. } if message.header.name == "MsgRequestVote"));
        if asked {
            return at;
        }
    }
    panic!("no campaign in 1000 ticks");
}

#[test]
fn election_timeouts_come_from_the_seed() {
    let times: Vec<Instant> = (0..4).map(|_| first_campaign(&mut *make(0, 3, 42))).collect();
    assert!(times.windows(2).all(|w| w[0] == w[1]), "one seed, different timeouts: {times:?}");
    let others: Vec<Instant> = (0..8).map(|seed| first_campaign(&mut *make(0, 3, seed))).collect();
    assert!(others.iter().any(|&at| at != others[0]), "eight seeds, one timeout: {others:?}");
}

#[test]
fn start_and_apply_speak_the_lab_numbering() {
    let mut node = make(0, 1, 7);
    first_campaign_or_leader(&mut *node);
    assert!(node.get_state().1, "a single node elects itself");
    let started = node.start(Instant(10_000_000), b"x".to_vec()).expect("the leader takes it");
    assert_eq!(started.index, LogIndex(1), "raft-rs's own empty entry is at its index 1");
    let applied: Vec<LogIndex> = drain(&mut *node)
        .into_iter()
        .filter_map(|out| match out {
            Output::Apply(Apply::Command { index, .. }) => Some(index),
            _ => None,
        })
        .collect();
    assert_eq!(applied, vec![LogIndex(1)]);
}

/// A single-voter node campaigns and wins at once (no vote requests to see).
fn first_campaign_or_leader(node: &mut dyn Node) {
    for _ in 0..1000 {
        let at = node.poll_timeout().expect("ticks");
        node.handle_timeout(at);
        drain(node);
        if node.get_state().1 {
            return;
        }
    }
}

#[test]
fn a_request_raft_rs_drops_is_still_answered() {
    let mut node = make(0, 3, 3);
    first_campaign(&mut *node);
    first_campaign(&mut *node);
    let (term, _) = node.get_state();
    assert!(term >= Term(2), "two campaigns, term {term}");
    // A heartbeat from a stale leader of term 1: plain raft-rs ignores it.
    let stale = Message { msg_type: MessageType::MsgHeartbeat, from: 2, to: 1, term: 1, ..Message::default() };
    let message =
        api::WireMessage::new(Header { term: Some(Term(1)), name: "MsgHeartbeat" }, stale.write_to_bytes().unwrap());
    node.handle_message(Instant(60_000_000), NodeId(1), Delivery::Request(CallId(9)), message);
    let replies: Vec<Output> =
        drain(&mut *node).into_iter().filter(|out| matches!(out, Output::Reply { .. })).collect();
    assert_eq!(replies.len(), 1, "exactly one reply: {replies:?}");
    assert!(matches!(&replies[0], Output::Reply { to: NodeId(1), call: CallId(9), .. }));
}
