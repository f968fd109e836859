//! Log replication (§5.3) and the commit rule (§5.4.2): the AppendEntries
//! consistency check, truncation only on a real conflict, the lab's fast backup
//! (XTerm, XIndex, XLen), the follower's commit bound (Figure 2, AppendEntries
//! rule 5), Start, batching, and applying committed entries in order.

use super::helpers::*;
use crate::{LogIndex, Message, NodeId, NotLeader, Started, Term};

/// Figure 2, AppendEntries receiver rules 2–4: prev entry matches, so the new
/// entries are appended, persisted, then acknowledged up to the last new entry.
#[test]
fn append_accepted_when_the_prev_entry_matches() {
    let mut node = follower(1, 3, 2, &[1, 1]);

    node.handle_message(ms(1), NodeId(0), append(2, 0, (2, 1), entries(3, &[2]), 0));

    assert_eq!(drain(&mut node), vec![persist(2, None, &log_of(&[1, 1, 2]), b""), reply(0, accepted(2, 2, 3))]);
    assert_eq!(node.log, log_of(&[1, 1, 2]));
}

/// Figure 2, AppendEntries rule 2, when the follower has no entry at prevLogIndex:
/// the hint has no XTerm and XLen is the follower's log length.
#[test]
fn append_rejected_when_the_prev_index_is_beyond_the_log() {
    let mut node = follower(1, 3, 2, &[1, 1]);

    node.handle_message(ms(1), NodeId(0), append(2, 0, (5, 2), entries(6, &[2]), 0));

    assert_eq!(drain(&mut node), vec![reply(0, rejected(2, 5, conflict(None, 0, 3)))]);
    assert_eq!(node.log, log_of(&[1, 1]));
}

/// Figure 2, AppendEntries rule 2, when the terms differ at prevLogIndex: the hint
/// carries the follower's term there (XTerm) and the first index of that term (XIndex).
#[test]
fn append_rejected_on_a_term_mismatch_names_the_conflicting_term_and_its_first_index() {
    let mut node = follower(1, 3, 3, &[1, 2, 2, 2]);

    node.handle_message(ms(1), NodeId(0), append(3, 0, (4, 3), entries(5, &[3]), 0));

    assert_eq!(drain(&mut node), vec![reply(0, rejected(3, 4, conflict(Some(2), 2, 5)))]);
    assert_eq!(node.log, log_of(&[1, 2, 2, 2]));
}

/// Figure 2, AppendEntries rule 1: "Reply false if term < currentTerm"; a stale
/// leader neither changes the log nor holds the election off.
#[test]
fn append_from_a_stale_term_is_rejected() {
    let mut node = follower(1, 3, 3, &[1]);
    let deadline = node.poll_timeout();

    node.handle_message(ms(1), NodeId(0), append(2, 0, (1, 1), entries(2, &[2]), 1));

    assert_eq!(drain(&mut node), vec![reply(0, rejected(3, 1, None))]);
    assert_eq!((node.log.clone(), node.commit_index), (log_of(&[1]), LogIndex(0)));
    assert_eq!(node.poll_timeout(), deadline);
}

/// Figure 2, AppendEntries rule 3: "If an existing entry conflicts with a new one
/// (same index but different terms), delete the existing entry and all that follow it".
#[test]
fn conflicting_entries_are_truncated() {
    let mut node = follower(1, 3, 3, &[1, 1, 2, 2]);

    node.handle_message(ms(1), NodeId(0), append(3, 0, (2, 1), entries(3, &[3]), 0));

    assert_eq!(drain(&mut node), vec![persist(3, None, &log_of(&[1, 1, 3]), b""), reply(0, accepted(3, 2, 3))]);
    assert_eq!(node.log, log_of(&[1, 1, 3]));
}

/// Figure 2, AppendEntries rule 3 read strictly: only a *conflict* truncates. A
/// stale, shorter AppendEntries arriving after a longer one must not remove the
/// matching entries after it (and acknowledges only what it verified).
#[test]
fn stale_shorter_append_does_not_remove_matching_entries() {
    let mut node = follower(1, 3, 1, &[]);
    node.handle_message(ms(1), NodeId(0), append(1, 0, (0, 0), entries(1, &[1, 1, 1, 1]), 0));
    assert_eq!(drain(&mut node), vec![persist(1, None, &log_of(&[1, 1, 1, 1]), b""), reply(0, accepted(1, 0, 4))]);

    node.handle_message(ms(2), NodeId(0), append(1, 0, (1, 1), entries(2, &[1]), 0));

    assert_eq!(drain(&mut node), vec![reply(0, accepted(1, 1, 2))]);
    assert_eq!(node.log, log_of(&[1, 1, 1, 1]));
}

/// §5.4.2 (Figure 8): "Raft never commits log entries from previous terms by
/// counting replicas". Entry 2 (term 2) is on a majority, but the leader is in term 4.
#[test]
fn leader_does_not_commit_an_old_term_entry_by_counting_replicas() {
    let mut node = leader(0, 3, 4, &[1, 2]);

    node.handle_message(ms(1), NodeId(1), accepted(4, 2, 2));

    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.commit_index, LogIndex(0));
}

/// §5.4.2: "once an entry from the current term has been committed ..., all
/// prior entries are committed indirectly". The commit is applied at once and
/// rides to the followers on the next append or heartbeat.
#[test]
fn leader_commits_old_entries_once_a_current_term_entry_is_on_a_majority() {
    let mut node = leader(0, 3, 4, &[1, 2]);
    node.handle_message(ms(1), NodeId(1), accepted(4, 2, 2));
    assert_eq!(node.start(ms(2), entry(3, 4).command.to_vec()), Ok(Started { index: LogIndex(3), term: Term(4) }));
    node.handle_timeout(ms(17));
    let entry_3 = append(4, 0, (2, 2), entries(3, &[4]), 0);
    let persisted = persist(4, Some(0), &log_of(&[1, 2, 4]), b"");
    assert_eq!(drain(&mut node), vec![persisted, send(1, entry_3.clone()), send(2, entry_3)]);

    node.handle_message(ms(18), NodeId(1), accepted(4, 2, 3));

    assert_eq!(drain(&mut node), vec![apply(1, 1), apply(2, 2), apply(3, 4)]);
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(3), LogIndex(3)));
    // Followers learn the new commit index from the next append or heartbeat:
    // a commit alone sends nothing (the lab's RPC budgets, Count2B).
    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.poll_timeout(), Some(ms(100)), "the next heartbeat, 100 ms after the first");

    node.handle_timeout(ms(100));

    assert_eq!(
        drain(&mut node),
        // n2 has not answered anything since its copy of entry 3 went out: it
        // is probed with a heartbeat (with the commit), not sent the entry again.
        vec![send(1, heartbeat(4, 0, (3, 4), 3)), send(2, heartbeat(4, 0, (2, 2), 3))]
    );
}

/// A follower that lost entries it had acknowledged (a persistence bug) rejects
/// at matchIndex + 1; nextIndex cannot move, so nothing is resent in the same
/// instant (no ping-pong): the next heartbeat probes again.
#[test]
fn a_rejection_that_cannot_move_next_index_sends_nothing() {
    let mut node = leader(0, 3, 2, &[1, 2]);
    node.handle_message(ms(1), NodeId(1), accepted(2, 0, 2));
    drain(&mut node);

    node.handle_message(ms(2), NodeId(1), rejected(2, 2, conflict(None, 0, 1)));

    assert_eq!(drain(&mut node), vec![]);
    node.handle_timeout(ms(100));
    assert!(drain(&mut node).contains(&send(1, heartbeat(2, 0, (2, 2), 2))));
}

/// Flow control (the lab's RPC and byte budgets): one payload in flight per
/// follower; more goes when it is answered, or again with the first heartbeat
/// `resend_after_us` or more after it went.
#[test]
fn one_payload_in_flight_per_follower() {
    let mut node = leader(0, 3, 2, &[1]);
    node.start(ms(10), entry(2, 2).command.to_vec()).unwrap();
    node.handle_timeout(ms(25));
    let first = append(2, 0, (1, 1), entries(2, &[2]), 0);
    let saved = persist(2, Some(0), &log_of(&[1, 2]), b"");
    assert_eq!(drain(&mut node), vec![saved, send(1, first.clone()), send(2, first)]);

    // A second Start while the first entry is unanswered: nothing is sent (a
    // heartbeat is the heartbeat timer's business), the entry is saved.
    node.start(ms(30), entry(3, 2).command.to_vec()).unwrap();
    node.handle_timeout(ms(45));
    let saved = persist(2, Some(0), &log_of(&[1, 2, 2]), b"");
    assert_eq!(drain(&mut node), vec![saved]);

    // n1 answers (a majority: 1 and 2 commit): what is still missing goes to n1 at once.
    node.handle_message(ms(46), NodeId(1), accepted(2, 1, 2));
    let rest = append(2, 0, (2, 2), entries(3, &[2]), 2);
    assert_eq!(drain(&mut node), vec![apply(1, 1), apply(2, 2), send(1, rest)]);

    // The commit sent nothing of its own; the next wake is the heartbeat, 100 ms
    // after the first. n1 has not answered its second payload (54 ms ago, older
    // than resend_after's 50 ms) but was heard from since it went: it gets what
    // it lacks again. n2 has answered nothing since its payload (75 ms ago):
    // silent, it is probed with a bare heartbeat (etcd's probe state).
    assert_eq!(node.poll_timeout(), Some(ms(100)));
    node.handle_timeout(ms(100));
    assert_eq!(
        drain(&mut node),
        vec![send(1, append(2, 0, (2, 2), entries(3, &[2]), 2)), send(2, heartbeat(2, 0, (1, 1), 2))]
    );

    // n2 answers the probe: everything it lacks goes at once.
    node.handle_message(ms(101), NodeId(2), accepted(2, 1, 1));
    assert_eq!(drain(&mut node), vec![send(2, append(2, 0, (1, 1), entries(2, &[2, 2]), 2))]);
}

/// The leader of term 6 for the fast-backup cases, log `1 4 4 6 6 6`; its
/// opening heartbeat probes at prevLogIndex 6.
const LEADER_LOG: &[u64] = &[1, 4, 4, 6, 6, 6];

/// The probe a follower holding `follower_log` answers, checked against
/// `expected_reply`, then handed to the leader: returns the leader's outputs.
fn backup_after(follower_log: &[u64], expected_reply: Message) -> Vec<crate::Output> {
    let mut follower = follower(1, 3, 6, follower_log);
    follower.handle_message(ms(1), NodeId(0), heartbeat(6, 0, (6, 6), 0));
    assert_eq!(drain(&mut follower), vec![reply(0, expected_reply.clone())]);

    let mut leader = leader(0, 3, 6, LEADER_LOG);
    leader.handle_message(ms(2), NodeId(1), expected_reply);
    drain(&mut leader)
}

/// LAB-SPEC fast backup, case 3: the follower's log is too short, so the next
/// probe starts at its length (nextIndex = XLen).
#[test]
fn fast_backup_to_the_followers_log_length_when_its_log_is_too_short() {
    let outputs = backup_after(&[1], rejected(6, 6, conflict(None, 0, 2)));

    assert_eq!(outputs, vec![send(1, append(6, 0, (1, 1), entries(2, &[4, 4, 6, 6, 6]), 0))]);
}

/// LAB-SPEC fast backup, case 1: the leader has no entry of XTerm, so it skips
/// the follower's whole run of that term (nextIndex = XIndex).
#[test]
fn fast_backup_to_xindex_when_the_leader_lacks_xterm() {
    let outputs = backup_after(&[1, 4, 5, 5, 5, 5], rejected(6, 6, conflict(Some(5), 3, 7)));

    assert_eq!(outputs, vec![send(1, append(6, 0, (2, 4), entries(3, &[4, 6, 6, 6]), 0))]);
}

/// LAB-SPEC fast backup, case 2: the leader has entries of XTerm, so the next
/// probe starts after its own last entry of that term. The follower then
/// accepts it and repairs its log.
#[test]
fn fast_backup_past_the_leaders_last_xterm_entry_when_it_has_xterm() {
    let outputs = backup_after(&[1, 4, 4, 4, 4, 4], rejected(6, 6, conflict(Some(4), 2, 7)));

    let repair = append(6, 0, (3, 4), entries(4, &[6, 6, 6]), 0);
    assert_eq!(outputs, vec![send(1, repair.clone())]);

    let mut node = follower(1, 3, 6, &[1, 4, 4, 4, 4, 4]);
    node.handle_message(ms(3), NodeId(0), repair);
    assert_eq!(drain(&mut node), vec![persist(6, None, &log_of(LEADER_LOG), b""), reply(0, accepted(6, 3, 6))]);
}

/// A rejection that answers an older probe (its prevLogIndex is not the current
/// nextIndex - 1) is stale: it must not move nextIndex again.
#[test]
fn stale_rejection_does_not_move_next_index() {
    let mut node = leader(0, 3, 6, LEADER_LOG);
    node.handle_message(ms(1), NodeId(1), rejected(6, 6, conflict(Some(5), 3, 7)));
    assert_eq!(drain(&mut node), vec![send(1, append(6, 0, (2, 4), entries(3, &[4, 6, 6, 6]), 0))]);

    node.handle_message(ms(2), NodeId(1), rejected(6, 6, conflict(None, 0, 2)));

    assert_eq!(drain(&mut node), vec![]);
}

/// Figure 2, AppendEntries rule 5: "set commitIndex = min(leaderCommit, index of
/// last new entry)". Entries past what this request verified may be a deposed
/// leader's and must not be committed.
#[test]
fn follower_commits_no_further_than_the_request_verified() {
    let mut node = follower(1, 3, 2, &[1, 1, 1, 1, 1]);

    node.handle_message(ms(1), NodeId(0), heartbeat(2, 0, (2, 1), 5));

    assert_eq!(drain(&mut node), vec![apply(1, 1), apply(2, 1), reply(0, accepted(2, 2, 2))]);
    assert_eq!(node.commit_index, LogIndex(2));
}

/// §5.3: "The leader appends the command to its log as a new entry": Start
/// returns where the entry will be, and the log is persisted before anything
/// else; replication is due one batch window (15 ms) later.
#[test]
fn start_on_the_leader_appends_and_returns_index_and_term() {
    let mut node = leader(0, 3, 2, &[1]);

    let started = node.start(ms(5), entry(2, 2).command.to_vec());

    assert_eq!(started, Ok(Started { index: LogIndex(2), term: Term(2) }));
    // Nothing yet: the entry is persisted with the send that carries it.
    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.poll_timeout(), Some(ms(20)));

    node.handle_timeout(ms(20));

    let append = append(2, 0, (1, 1), entries(2, &[2]), 0);
    let persisted = persist(2, Some(0), &log_of(&[1, 2]), b"");
    assert_eq!(drain(&mut node), vec![persisted, send(1, append.clone()), send(2, append)]);
}

/// §5.1: only the leader handles client requests; the lab's Start says so with is_leader = false.
#[test]
fn start_on_a_follower_is_refused() {
    let mut node = follower(1, 3, 2, &[1]);

    assert_eq!(node.start(ms(5), entry(2, 2).command.to_vec()), Err(NotLeader { term: Term(2) }));
    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.log, log_of(&[1]));
}

/// §5.3 and the lab's RPC budget (group commit): Starts within one batch
/// window of the first are sent in one AppendEntries per follower, when it ends.
#[test]
fn starts_in_one_window_share_one_append_per_follower() {
    let mut node = leader(0, 3, 2, &[1]);
    for (index, at) in [(2, 10), (3, 14), (4, 25)] {
        let started = node.start(ms(at), entry(index, 2).command.to_vec());
        assert_eq!(started, Ok(Started { index: LogIndex(index), term: Term(2) }));
        assert_eq!(node.poll_timeout(), Some(ms(25)), "the first Start's window");
    }
    assert_eq!(drain(&mut node), vec![]);

    node.handle_timeout(ms(25));

    // One save and one AppendEntries per follower for the whole batch.
    let batch = append(2, 0, (1, 1), entries(2, &[2, 2, 2]), 0);
    let persisted = persist(2, Some(0), &log_of(&[1, 2, 2, 2]), b"");
    assert_eq!(drain(&mut node), vec![persisted, send(1, batch.clone()), send(2, batch)]);
    assert_eq!(node.poll_timeout(), Some(ms(100)), "then the heartbeat, on its own clock");
}

/// A heartbeat that falls inside a batch window carries the waiting entries,
/// and the window's send is dropped: nothing goes twice.
#[test]
fn a_heartbeat_inside_the_window_carries_the_batch() {
    let mut node = leader(0, 3, 2, &[1]);
    node.start(ms(95), entry(2, 2).command.to_vec()).unwrap();
    assert_eq!(node.poll_timeout(), Some(ms(100)), "the heartbeat comes before the window's end (110 ms)");

    node.handle_timeout(ms(100));

    let batch = append(2, 0, (1, 1), entries(2, &[2]), 0);
    let persisted = persist(2, Some(0), &log_of(&[1, 2]), b"");
    assert_eq!(drain(&mut node), vec![persisted, send(1, batch.clone()), send(2, batch)]);
    assert_eq!(node.poll_timeout(), Some(ms(200)), "the next heartbeat; no send at 110 ms");
}

/// §5.2: the leader sends AppendEntries to every follower each heartbeat interval.
#[test]
fn leader_heartbeats_every_follower_each_interval() {
    let mut node = leader(0, 3, 2, &[1]);
    assert_eq!(node.poll_timeout(), Some(ms(100)));

    node.handle_timeout(ms(100));

    let beat = heartbeat(2, 0, (1, 1), 0);
    assert_eq!(drain(&mut node), vec![send(1, beat.clone()), send(2, beat)]);
    assert_eq!(node.poll_timeout(), Some(ms(200)));
}

/// Figure 2, Rules for Servers: "If commitIndex > lastApplied: increment
/// lastApplied, apply log[lastApplied]": in index order, each entry once.
#[test]
fn committed_entries_are_applied_in_order_once_each() {
    let mut node = follower(1, 3, 1, &[]);

    node.handle_message(ms(1), NodeId(0), append(1, 0, (0, 0), entries(1, &[1, 1, 1]), 2));
    assert_eq!(
        drain(&mut node),
        vec![persist(1, None, &log_of(&[1, 1, 1]), b""), apply(1, 1), apply(2, 1), reply(0, accepted(1, 0, 3))]
    );

    node.handle_message(ms(2), NodeId(0), heartbeat(1, 0, (3, 1), 3));
    assert_eq!(drain(&mut node), vec![apply(3, 1), reply(0, accepted(1, 3, 3))]);

    node.handle_message(ms(3), NodeId(0), heartbeat(1, 0, (3, 1), 3));
    assert_eq!(drain(&mut node), vec![reply(0, accepted(1, 3, 3))]);
    assert_eq!((node.commit_index, node.last_applied), (LogIndex(3), LogIndex(3)));
}

/// §5.3 with one server: an entry is committed once it is durable on a majority
/// (itself), so its Persist comes before its Apply.
#[test]
fn single_server_commits_its_entry_after_persisting_it() {
    let mut node = follower(0, 1, 0, &[]);
    node.handle_timeout(node.poll_timeout().unwrap());
    drain(&mut node);

    let started = node.start(ms(1000), entry(1, 1).command.to_vec());

    assert_eq!(started, Ok(Started { index: LogIndex(1), term: Term(1) }));
    assert_eq!(drain(&mut node), vec![persist(1, Some(0), &log_of(&[1]), b""), apply(1, 1)]);
}
