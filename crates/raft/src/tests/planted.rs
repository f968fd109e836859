//! The planted bugs (LAB-SPEC §6) against the rules they break: each test
//! repeats one pinned-output test's input with the bug switched on and pins
//! the wrong output, proving that the rule's test catches that bug (§5.1–§5.4, §7).

use super::helpers::*;
use crate::{Bug, LogIndex, Node, NodeId, RoleKind, Term};

fn with_bug(mut node: Node, bug: Bug) -> Node {
    node.config.bug = Some(bug);
    node
}

/// Breaks `election_timeout_is_drawn_in_range_and_redrawn_on_each_reset`.
#[test]
fn fixed_election_timeout_draws_the_same_timeout_every_reset() {
    let mut node = with_bug(follower(0, 3, 1, &[]), Bug::FixedElectionTimeout);
    for k in 1..=3 {
        node.handle_message(ms(k), NodeId(1), heartbeat(1, 1, (0, 0), 0));
        drain(&mut node);
        assert_eq!(node.poll_timeout(), Some(ms(k + 300)));
    }
}

/// Breaks `leader_does_not_commit_an_old_term_entry_by_counting_replicas`.
#[test]
fn commit_previous_term_commits_by_counting_replicas() {
    let mut node = with_bug(leader(0, 3, 4, &[1, 2]), Bug::CommitPreviousTerm);

    node.handle_message(ms(1), NodeId(1), accepted(4, 2, 2));

    assert_eq!(drain(&mut node), vec![apply(1, 1), apply(2, 2)]);
}

/// Breaks `vote_denied_when_the_candidates_last_term_is_lower`.
#[test]
fn no_up_to_date_check_grants_a_vote_to_a_stale_log() {
    let mut node = with_bug(follower(0, 3, 2, &[1, 1, 2]), Bug::NoUpToDateCheck);

    node.handle_message(ms(1), NodeId(1), request_vote(3, 1, 5, 1));

    assert_eq!(drain(&mut node), vec![persist(3, Some(1), &log_of(&[1, 1, 2]), b""), reply(1, vote(3, true))]);
}

/// Breaks `vote_once_per_term` (the Persist before the grant lacks the vote).
#[test]
fn vote_not_persisted_grants_without_recording_the_vote() {
    let mut node = with_bug(follower(0, 3, 1, &[]), Bug::VoteNotPersisted);

    node.handle_message(ms(1), NodeId(1), request_vote(2, 1, 0, 0));

    assert_eq!(drain(&mut node), vec![persist(2, None, &log_of(&[]), b""), reply(1, vote(2, true))]);
}

/// Breaks `append_accepted_when_the_prev_entry_matches`.
#[test]
fn log_not_persisted_acknowledges_entries_without_a_persist() {
    let mut node = with_bug(follower(1, 3, 2, &[1, 1]), Bug::LogNotPersisted);

    node.handle_message(ms(1), NodeId(0), append(2, 0, (2, 1), entries(3, &[2]), 0));

    assert_eq!(drain(&mut node), vec![reply(0, accepted(2, 2, 3))]);
}

/// Breaks `stale_shorter_append_does_not_remove_matching_entries`.
#[test]
fn truncate_on_stale_loses_matching_entries() {
    let mut node = with_bug(follower(1, 3, 1, &[1, 1, 1, 1]), Bug::TruncateOnStale);

    node.handle_message(ms(2), NodeId(0), append(1, 0, (1, 1), entries(2, &[1]), 0));

    assert_eq!(drain(&mut node), vec![persist(1, None, &log_of(&[1, 1]), b""), reply(0, accepted(1, 1, 2))]);
}

/// Breaks `follower_commits_no_further_than_the_request_verified`.
#[test]
fn commit_beyond_verified_applies_unverified_entries() {
    let mut node = with_bug(follower(1, 3, 2, &[1, 1, 1, 1, 1]), Bug::CommitBeyondVerified);

    node.handle_message(ms(1), NodeId(0), heartbeat(2, 0, (2, 1), 5));

    let mut expected: Vec<_> = (1..=5).map(|index| apply(index, 1)).collect();
    expected.push(reply(0, accepted(2, 2, 2)));
    assert_eq!(drain(&mut node), expected);
}

/// Breaks `heartbeat_pushes_the_election_deadline_later`.
#[test]
fn heartbeat_no_timer_reset_leaves_the_deadline_in_place() {
    let mut node = with_bug(follower(0, 3, 1, &[]), Bug::HeartbeatNoTimerReset);
    let deadline = node.poll_timeout();

    node.handle_message(ms(299), NodeId(1), heartbeat(1, 1, (0, 0), 0));

    assert_eq!(drain(&mut node), vec![reply(1, accepted(1, 0, 0))]);
    assert_eq!(node.poll_timeout(), deadline);
}

/// Breaks `step_down_on_a_higher_term_in_a_vote_reply`.
#[test]
fn no_step_down_on_reply_keeps_a_deposed_candidacy() {
    let mut node = with_bug(candidate(0, 3, 2, &[1]), Bug::NoStepDownOnReply);

    node.handle_message(ms(1), NodeId(2), vote(4, false));

    assert_eq!(drain(&mut node), vec![]);
    assert_eq!((node.role(), node.term), (RoleKind::Candidate, Term(2)));
}

/// Breaks `persisted_state_round_trips_through_restore` (the next save erases the snapshot).
#[test]
fn snapshot_dropped_at_startup_erases_the_snapshot_on_the_next_save() {
    let mut node = follower(0, 3, 3, &[1, 1, 2, 3]);
    committed(&mut node, 4);
    node.snapshot(ms(1), LogIndex(2), b"snap".to_vec());
    let Some(api::Output::Persist(saved)) = node.poll_output() else { panic!("snapshot persists") };
    let mut config = config(0, 3);
    config.bug = Some(Bug::SnapshotDroppedAtStartup);
    let mut node = Node::restore(config, ms(10), &saved.raft_state, saved.snapshot).expect("restores");

    node.handle_message(ms(11), NodeId(1), request_vote(4, 1, 4, 3));

    assert_eq!(
        drain(&mut node),
        vec![persist(4, Some(1), &compacted_log(2, 1, &[2, 3]), b""), reply(1, vote(4, true))]
    );
}

/// Breaks `install_snapshot_keeps_a_matching_suffix` (entries the snapshot covers are applied again).
#[test]
fn reapply_after_snapshot_applies_covered_entries_again() {
    let mut node = with_bug(follower(1, 3, 3, &[1, 1, 2, 3]), Bug::ReapplyAfterSnapshot);
    committed(&mut node, 1);

    node.handle_message(ms(1), NodeId(0), install_snapshot(3, 0, (3, 2), b"snap"));

    assert_eq!(
        drain(&mut node),
        vec![
            persist(3, None, &compacted_log(3, 2, &[3]), b"snap"),
            apply_snapshot(3, 2, b"snap"),
            apply(2, 1),
            apply(3, 2),
            reply(0, installed(3, 3)),
        ]
    );
}

/// Breaks `leader_does_not_commit_an_old_term_entry_by_counting_replicas`'s
/// premise that only replies of the leader's own term move its progress (§5.1).
#[test]
fn ignore_reply_term_counts_a_reply_from_an_earlier_term() {
    let mut correct = leader(0, 3, 4, &[4, 4]);
    correct.handle_message(ms(1), NodeId(1), accepted(2, 0, 2));
    assert_eq!(drain(&mut correct), vec![]);

    let mut node = with_bug(leader(0, 3, 4, &[4, 4]), Bug::IgnoreReplyTerm);
    node.handle_message(ms(1), NodeId(1), accepted(2, 0, 2));
    assert_eq!(drain(&mut node), vec![apply(1, 4), apply(2, 4)]);
}

/// Breaks `vote_from_an_earlier_term_is_not_counted`.
#[test]
fn ignore_reply_term_counts_a_vote_from_an_earlier_term() {
    let mut node = with_bug(candidate(0, 3, 3, &[]), Bug::IgnoreReplyTerm);
    node.handle_message(ms(1), NodeId(1), vote(2, true));
    assert_eq!(node.role(), RoleKind::Leader);
}

/// Every planted bug has its test here.
#[test]
fn every_planted_bug_is_pinned() {
    assert_eq!(Bug::ALL.len(), 16, "a new planted bug needs a pinned test in this module");
}

/// Breaks `vote_once_per_term`'s order: the grant goes out before its Persist.
#[test]
fn send_before_persist_replies_before_persisting_the_vote() {
    let mut node = with_bug(follower(0, 3, 1, &[]), Bug::SendBeforePersist);

    node.handle_message(ms(1), NodeId(1), request_vote(2, 1, 0, 0));

    assert_eq!(drain(&mut node), vec![reply(1, vote(2, true)), persist(2, Some(1), &log_of(&[]), b"")]);
}

/// A candidate of 5 counts one voter's duplicated grant twice and wins with two real votes.
#[test]
fn duplicate_vote_count_counts_a_duplicated_grant_twice() {
    let mut node = with_bug(candidate(0, 5, 2, &[]), Bug::DuplicateVoteCount);

    node.handle_message(ms(1), NodeId(1), vote(2, true));
    node.handle_message(ms(1), NodeId(1), vote(2, true));

    assert_eq!(node.role(), RoleKind::Leader);
}

/// The correct candidate counts a voter once.
#[test]
fn a_duplicated_grant_counts_once() {
    let mut node = candidate(0, 5, 2, &[]);

    node.handle_message(ms(1), NodeId(1), vote(2, true));
    node.handle_message(ms(1), NodeId(1), vote(2, true));

    assert_eq!(node.role(), RoleKind::Candidate);
}

/// A success that acknowledged index 1 makes the leader believe index 2 is held too.
#[test]
fn match_index_from_own_log_commits_what_the_follower_lacks() {
    let mut node = with_bug(leader(0, 3, 4, &[4, 4]), Bug::MatchIndexFromOwnLog);

    node.handle_message(ms(1), NodeId(1), accepted(4, 0, 1));

    assert_eq!(node.state().commit_index, LogIndex(2));
}

/// A snapshot at index 1 reaches a follower that committed 2: it goes back.
#[test]
fn install_stale_snapshot_moves_the_commit_index_back() {
    let mut node = with_bug(follower(1, 3, 2, &[2, 2]), Bug::InstallStaleSnapshot);
    committed(&mut node, 2);

    node.handle_message(ms(1), NodeId(0), install_snapshot(2, 0, (1, 2), b"s"));

    assert_eq!(node.state().commit_index, LogIndex(1));
}
