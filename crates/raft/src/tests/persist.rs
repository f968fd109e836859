//! Persistent state (Figure 2: currentTerm, votedFor, log[]; §7: the snapshot's
//! last index and term) and restart, the lab's Make: what a node persisted is
//! what it restores, and bytes that cannot be its state are refused, never
//! read as an empty node (§5.1, "stable storage").

use super::helpers::*;
use crate::persist::RestoreError;
use crate::Persist;
use crate::{LogIndex, Node, NodeId, Output, RoleKind, State, Term};

/// A follower in term 3 that voted for node 2, logged `1 1 2 3` and
/// snapshotted at 2: the Persist that snapshot emitted.
fn persisted_with_snapshot() -> Persist {
    let mut node = follower(0, 3, 3, &[1, 1, 2, 3]);
    node.voted_for = Some(NodeId(2));
    committed(&mut node, 4);
    node.snapshot(ms(1), LogIndex(2), b"snap".to_vec());
    match drain(&mut node).as_slice() {
        [Output::Persist(persisted)] => persisted.clone(),
        other => panic!("expected one Persist, got {other:?}"),
    }
}

fn restore(raft_state: &[u8]) -> Result<Node, RestoreError> {
    Node::restore(config(0, 3), ms(10), raft_state, std::sync::Arc::from(&b"snap"[..]))
}

/// Figure 2: term, vote and log survive a restart, and so do the snapshot's
/// last index and term (§7). Volatile state restarts at the snapshot: it is
/// committed and the service has already loaded it.
#[test]
fn persisted_state_round_trips_through_restore() {
    let persisted = persisted_with_snapshot();

    let mut node = Node::restore(config(0, 3), ms(10), &persisted.raft_state, persisted.snapshot.clone())
        .expect("what a node persisted restores");

    assert_eq!(
        node.state(),
        State {
            id: NodeId(0),
            term: Term(3),
            role: RoleKind::Follower,
            voted_for: Some(NodeId(2)),
            commit_index: LogIndex(2),
            last_applied: LogIndex(2),
            last_log_index: LogIndex(4),
            last_log_term: Term(3),
            snapshot_index: LogIndex(2),
        }
    );
    assert_eq!(node.log, compacted_log(2, 1, &[2, 3]));
    assert_eq!(drain(&mut node), vec![], "restoring says nothing");

    // The snapshot read at start-up is kept: the next save carries it again.
    node.handle_message(ms(11), NodeId(1), request_vote(4, 1, 4, 3));
    assert_eq!(
        drain(&mut node),
        vec![persist(4, Some(1), &compacted_log(2, 1, &[2, 3]), b"snap"), reply(1, vote(4, true))]
    );
}

/// The lab's Make with an empty persister: a fresh node.
#[test]
fn restore_from_nothing_is_a_fresh_node() {
    let node = restore(&[]).expect("nothing persisted is a fresh start");

    assert_eq!((node.term, node.voted_for), (Term(0), None));
    assert_eq!(node.log, log_of(&[]));
    assert_eq!(node.commit_index, LogIndex(0));
}

/// Bytes that are not a node's state are refused with a reason, not read as a
/// fresh node (which would forget a vote and committed entries).
#[test]
fn restore_from_garbage_bytes_fails_with_a_clear_message() {
    let garbage = b"not raft state at all";

    let error = restore(garbage).expect_err("garbage must not restore");

    let prefix = format!("{} bytes of raft state do not decode (", garbage.len());
    assert!(error.reason.starts_with(&prefix), "unclear reason: {}", error.reason);
    assert!(error.to_string().starts_with("cannot restore Raft state: "), "unclear message: {error}");
}

/// A save cut short (a torn write) is refused at every length.
#[test]
fn restore_from_truncated_bytes_fails_with_a_clear_message() {
    let full = persisted_with_snapshot().raft_state;

    for len in 1..full.len() {
        let error = restore(&full[..len]).expect_err("a truncated state must not restore");
        let prefix = format!("{len} bytes of raft state do not decode (");
        assert!(error.reason.starts_with(&prefix), "at {len} of {}: {}", full.len(), error.reason);
    }
}

/// Extra bytes after a state mean the bytes are not what we wrote (a save
/// always ends with the end mark).
#[test]
fn restore_with_trailing_bytes_fails() {
    let mut bytes = persisted_with_snapshot().raft_state;
    bytes.extend_from_slice(&[0, 0]);

    let error = restore(&bytes).expect_err("trailing bytes must not restore");

    let reason = format!("{} bytes of raft state do not decode (no end mark)", bytes.len());
    assert_eq!(error, RestoreError { reason });
}

/// A state that breaks Figure 2's own invariants (no vote before term 1; no
/// entry from a term later than the current one) is refused.
#[test]
fn restore_of_an_impossible_state_fails() {
    let vote_in_term_zero = encode_state(&StateRef {
        term: Term(0),
        voted_for: Some(NodeId(1)),
        snapshot_index: LogIndex(0),
        snapshot_term: Term(0),
        entries: &[],
    });
    let entry_from_the_future = encode_state(&StateRef {
        term: Term(1),
        voted_for: None,
        snapshot_index: LogIndex(0),
        snapshot_term: Term(0),
        entries: &entries(1, &[1, 2]),
    });

    assert_eq!(
        restore(&vote_in_term_zero).expect_err("impossible"),
        RestoreError { reason: "a vote recorded in term 0".into() }
    );
    assert_eq!(
        restore(&entry_from_the_future).expect_err("impossible"),
        RestoreError { reason: "an entry of term 2 beyond the current term 1".into() }
    );
}

/// A save hands over only what changed since the last one: appended entries
/// keep the saved ones, a conflict's truncation keeps only the entries before
/// it, and a snapshot rewrites everything. Each time, what the persister ends
/// with is exactly the whole state (`drain` carries every save out).
#[test]
fn saves_hand_over_only_the_changed_tail() {
    let mut node = follower(1, 3, 2, &[1, 1]);
    let mut tails = Vec::new();
    let mut step = |node: &mut Node, message, expected: Output| {
        node.handle_message(ms(1), NodeId(0), message);
        let keep_bytes = match node.outputs.front() {
            Some(api::Output::Persist(persist)) => persist.keep_bytes,
            other => panic!("expected a Persist first, got {other:?}"),
        };
        assert_eq!(drain(node).first(), Some(&expected));
        tails.push(keep_bytes);
    };

    step(&mut node, append(2, 0, (2, 1), entries(3, &[2]), 0), persist(2, None, &log_of(&[1, 1, 2]), b""));
    step(&mut node, append(2, 0, (3, 2), entries(4, &[2, 2]), 0), persist(2, None, &log_of(&[1, 1, 2, 2, 2]), b""));
    // A leader of term 3 overwrites index 4 on: entries 1..=3 stay saved.
    step(&mut node, append(3, 2, (3, 2), entries(4, &[3]), 0), persist(3, None, &log_of(&[1, 1, 2, 3]), b""));
    committed(&mut node, 4);
    node.snapshot(ms(2), LogIndex(2), b"snap".to_vec());
    let keep_after_snapshot = match node.outputs.front() {
        Some(api::Output::Persist(persist)) => persist.keep_bytes,
        other => panic!("expected a Persist, got {other:?}"),
    };
    assert_eq!(drain(&mut node), vec![persist(3, None, &compacted_log(2, 1, &[2, 3]), b"snap")]);

    let encoded_len = |terms: &[u64]| log_of(terms).encoded_entries().len();
    assert_eq!(tails, vec![0, encoded_len(&[1, 1, 2]), encoded_len(&[1, 1, 2])]);
    assert_eq!(keep_after_snapshot, 0, "compaction moves every entry: a whole save");
}
