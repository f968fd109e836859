//! Log compaction (§7) and InstallSnapshot (Figure 13, sent whole as the lab
//! asks): the service's Snapshot trims the log, a follower moves forward to the
//! leader's snapshot keeping only a matching suffix, stale snapshots are
//! ignored but answered, and a leader sends its snapshot to a follower whose
//! next entry was compacted away.

use std::sync::Arc;

use super::helpers::*;
use crate::{LogIndex, NodeId};

/// §7: "each server takes snapshots independently, covering just the committed
/// entries in its log": the log is trimmed and the state is persisted with the
/// snapshot in one Persist.
#[test]
fn snapshot_trims_the_log_and_persists_state_with_the_snapshot() {
    let mut node = follower(1, 3, 2, &[1, 1, 2, 2]);
    committed(&mut node, 4);

    node.snapshot(ms(1), LogIndex(2), b"snap".to_vec());

    assert_eq!(drain(&mut node), vec![persist(2, None, &compacted_log(2, 1, &[2, 2]), b"snap")]);
    assert_eq!(node.log, compacted_log(2, 1, &[2, 2]));
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(4), LogIndex(4)));
}

/// §7: a snapshot at or before the current one has nothing to add: ignored.
#[test]
fn stale_snapshot_is_ignored() {
    let mut node = follower(1, 3, 2, &[1, 1, 2, 2]);
    committed(&mut node, 4);
    node.snapshot(ms(1), LogIndex(2), b"snap".to_vec());
    drain(&mut node);

    node.snapshot(ms(2), LogIndex(2), b"again".to_vec());
    node.snapshot(ms(3), LogIndex(1), b"older".to_vec());

    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.log, compacted_log(2, 1, &[2, 2]));
    assert_eq!(&*node.snapshot, b"snap");
}

/// Figure 13, receiver rule 6: "If existing log entry has same index and term as
/// snapshot's last included entry, retain log entries following it". The service
/// is told to switch to the snapshot before the reply goes out.
#[test]
fn install_snapshot_keeps_a_matching_suffix() {
    let mut node = follower(1, 3, 3, &[1, 1, 2, 3]);
    committed(&mut node, 1);

    node.handle_message(ms(1), NodeId(0), install_snapshot(3, 0, (3, 2), b"snap"));

    assert_eq!(
        drain(&mut node),
        vec![
            persist(3, None, &compacted_log(3, 2, &[3]), b"snap"),
            apply_snapshot(3, 2, b"snap"),
            reply(0, installed(3, 3)),
        ]
    );
    assert_eq!(node.log, compacted_log(3, 2, &[3]));
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(3), LogIndex(3)));
}

/// Figure 13, receiver rule 7: "Discard the entire log" when the entry at the
/// snapshot's last index has another term.
#[test]
fn install_snapshot_drops_a_conflicting_log() {
    let mut node = follower(1, 3, 3, &[1, 1, 2, 3]);
    committed(&mut node, 1);

    node.handle_message(ms(1), NodeId(0), install_snapshot(3, 0, (3, 3), b"snap"));

    assert_eq!(
        drain(&mut node),
        vec![
            persist(3, None, &compacted_log(3, 3, &[]), b"snap"),
            apply_snapshot(3, 3, b"snap"),
            reply(0, installed(3, 3)),
        ]
    );
    assert_eq!(node.log, compacted_log(3, 3, &[]));
}

/// Figure 13, receiver rule 7, when the log does not reach the snapshot's last index.
#[test]
fn install_snapshot_drops_a_shorter_log() {
    let mut node = follower(1, 3, 2, &[1]);

    node.handle_message(ms(1), NodeId(0), install_snapshot(2, 0, (5, 2), b"snap"));

    assert_eq!(
        drain(&mut node),
        vec![
            persist(2, None, &compacted_log(5, 2, &[]), b"snap"),
            apply_snapshot(5, 2, b"snap"),
            reply(0, installed(2, 5)),
        ]
    );
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(5), LogIndex(5)));
}

/// A snapshot that does not go past what this follower has committed would
/// move it backwards: ignored, but answered so the leader learns the match.
#[test]
fn install_snapshot_at_or_below_the_commit_index_is_ignored_but_answered() {
    let mut node = follower(1, 3, 2, &[1, 1, 2, 2]);
    committed(&mut node, 4);

    node.handle_message(ms(1), NodeId(0), install_snapshot(2, 0, (3, 2), b"snap"));

    assert_eq!(drain(&mut node), vec![reply(0, installed(2, 3))]);
    assert_eq!(node.log, log_of(&[1, 1, 2, 2]));
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(4), LogIndex(4)));
}

/// Figure 13, receiver rule 1: "Reply immediately if term < currentTerm".
#[test]
fn install_snapshot_from_a_stale_term_is_answered_with_the_current_term() {
    let mut node = follower(1, 3, 3, &[1]);

    node.handle_message(ms(1), NodeId(0), install_snapshot(2, 0, (5, 2), b"snap"));

    assert_eq!(drain(&mut node), vec![reply(0, installed(3, 5))]);
    assert_eq!(node.log, log_of(&[1]));
}

/// §7: entries an AppendEntries carries up to the follower's snapshot are
/// already committed there, so they are skipped and only the rest is checked.
#[test]
fn append_below_the_snapshot_skips_the_covered_entries() {
    let mut node = follower_with_log(1, 3, 2, compacted_log(3, 1, &[]));
    node.snapshot = Arc::from(&b"snap"[..]);
    committed(&mut node, 3);

    node.handle_message(ms(1), NodeId(0), append(2, 0, (1, 1), entries(2, &[1]), 3));
    assert_eq!(drain(&mut node), vec![reply(0, accepted(2, 1, 2))]);

    node.handle_message(ms(2), NodeId(0), append(2, 0, (1, 1), entries(2, &[1, 1, 2]), 3));
    assert_eq!(
        drain(&mut node),
        vec![persist(2, None, &compacted_log(3, 1, &[2]), b"snap"), reply(0, accepted(2, 1, 4))]
    );
}

/// §7: "the leader must occasionally send snapshots to followers that lag
/// behind": once a follower's next entry is compacted away, the leader sends
/// InstallSnapshot, then resumes AppendEntries after it. The follower's side
/// of every step is pinned too.
#[test]
fn leader_sends_install_snapshot_when_next_is_compacted_away() {
    let mut leader = leader_with_log(0, 3, 2, compacted_log(2, 1, &[2, 2]));
    leader.snapshot = Arc::from(&b"snap"[..]);
    committed(&mut leader, 2);
    let mut follower = follower(1, 3, 2, &[]);

    follower.handle_message(ms(1), NodeId(0), heartbeat(2, 0, (4, 2), 2));
    let too_short = rejected(2, 4, conflict(None, 0, 1));
    assert_eq!(drain(&mut follower), vec![reply(0, too_short.clone())]);

    leader.handle_message(ms(2), NodeId(1), too_short);
    let snapshot = install_snapshot(2, 0, (2, 1), b"snap");
    assert_eq!(drain(&mut leader), vec![send(1, snapshot.clone())]);

    follower.handle_message(ms(3), NodeId(0), snapshot);
    assert_eq!(
        drain(&mut follower),
        vec![
            persist(2, None, &compacted_log(2, 1, &[]), b"snap"),
            apply_snapshot(2, 1, b"snap"),
            reply(0, installed(2, 2)),
        ]
    );

    leader.handle_message(ms(4), NodeId(1), installed(2, 2));
    let rest = append(2, 0, (2, 1), entries(3, &[2, 2]), 2);
    assert_eq!(drain(&mut leader), vec![send(1, rest.clone())]);

    follower.handle_message(ms(5), NodeId(0), rest);
    assert_eq!(
        drain(&mut follower),
        vec![persist(2, None, &compacted_log(2, 1, &[2, 2]), b"snap"), reply(0, accepted(2, 2, 4))]
    );
}
