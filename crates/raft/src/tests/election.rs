//! Leader election (§5.2), the election restriction (§5.4.1) and term handling
//! (§5.1): one vote per term, stale terms refused, the up-to-date check, stepping
//! down on a higher term, randomized election timeouts, heartbeats holding
//! elections off, winning with a majority, and persisting before asking for votes.

use super::helpers::*;
use crate::node::Role;
use crate::{Config, Instant, LogIndex, Node, NodeId, RoleKind, Term};

/// §5.2: "each server will vote for at most one candidate in a given term, on a
/// first-come-first-served basis". The vote is persisted before it is granted.
#[test]
fn vote_once_per_term() {
    let mut node = follower(0, 3, 1, &[]);

    node.handle_message(ms(1), NodeId(1), request_vote(2, 1, 0, 0));
    assert_eq!(drain(&mut node), vec![persist(2, Some(1), &log_of(&[]), b""), reply(1, vote(2, true))]);
    assert_eq!(node.voted_for, Some(NodeId(1)));

    node.handle_message(ms(2), NodeId(2), request_vote(2, 2, 0, 0));
    assert_eq!(drain(&mut node), vec![reply(2, vote(2, false))]);
    assert_eq!((node.term, node.voted_for), (Term(2), Some(NodeId(1))));
}

/// Figure 2, RequestVote receiver rule 1: "Reply false if term < currentTerm".
#[test]
fn vote_denied_for_a_stale_term() {
    let mut node = follower(0, 3, 3, &[1]);

    node.handle_message(ms(1), NodeId(1), request_vote(2, 1, 5, 2));

    assert_eq!(drain(&mut node), vec![reply(1, vote(3, false))]);
    assert_eq!((node.term, node.voted_for), (Term(3), None));
}

/// §5.4.1: a log whose last entry has a lower term is less up-to-date, however long.
/// The higher term is still adopted (and persisted) before the denial goes out.
#[test]
fn vote_denied_when_the_candidates_last_term_is_lower() {
    let mut node = follower(0, 3, 2, &[1, 1, 2]);

    node.handle_message(ms(1), NodeId(1), request_vote(3, 1, 5, 1));

    assert_eq!(drain(&mut node), vec![persist(3, None, &log_of(&[1, 1, 2]), b""), reply(1, vote(3, false))]);
    assert_eq!(node.voted_for, None);
}

/// §5.4.1: "if the logs end with the same term, then whichever log is longer is
/// more up-to-date".
#[test]
fn vote_denied_when_the_last_term_is_equal_and_the_candidates_log_is_shorter() {
    let mut node = follower(0, 3, 2, &[1, 1, 2]);

    node.handle_message(ms(1), NodeId(1), request_vote(3, 1, 2, 2));

    assert_eq!(drain(&mut node), vec![persist(3, None, &log_of(&[1, 1, 2]), b""), reply(1, vote(3, false))]);
    assert_eq!(node.voted_for, None);
}

/// §5.4.1: "if the logs have last entries with different terms, then the log
/// with the later term is more up-to-date": length does not matter then.
#[test]
fn vote_granted_when_the_candidates_last_term_is_higher_even_if_its_log_is_shorter() {
    let mut node = follower(0, 3, 2, &[1, 1, 2]);

    node.handle_message(ms(1), NodeId(1), request_vote(3, 1, 1, 3));

    assert_eq!(drain(&mut node), vec![persist(3, Some(1), &log_of(&[1, 1, 2]), b""), reply(1, vote(3, true))]);
    assert_eq!(node.voted_for, Some(NodeId(1)));
}

/// §5.1: "If a candidate or leader discovers that its term is out of date, it
/// immediately reverts to follower state" — here from a request. The new term
/// and the cleared vote are persisted before the reply.
#[test]
fn step_down_on_a_higher_term_in_a_request() {
    let mut node = leader(0, 3, 2, &[1, 2]);

    // The candidate's log is behind, so the vote is denied: only the step-down shows.
    node.handle_message(ms(50), NodeId(1), request_vote(3, 1, 1, 1));

    assert_eq!(drain(&mut node), vec![persist(3, None, &log_of(&[1, 2]), b""), reply(1, vote(3, false))]);
    assert_eq!((node.role(), node.term, node.voted_for), (RoleKind::Follower, Term(3), None));
    assert_eq!(node.timers.heartbeat, None, "a follower sends no heartbeats");
    let election = node.timers.election.expect("a follower has an election deadline");
    assert!(election >= ms(350) && election < ms(650), "deadline {election:?} not redrawn from ms(50)");
}

/// §5.1 for replies: a vote reply with a higher term ends a candidacy.
#[test]
fn step_down_on_a_higher_term_in_a_vote_reply() {
    let mut node = candidate(0, 3, 2, &[1]);

    node.handle_message(ms(1), NodeId(2), vote(4, false));

    assert_eq!(drain(&mut node), vec![persist(4, None, &log_of(&[1]), b"")]);
    assert_eq!((node.role(), node.term, node.voted_for), (RoleKind::Follower, Term(4), None));
}

/// §5.1 for replies: an AppendEntries reply with a higher term deposes a leader.
#[test]
fn step_down_on_a_higher_term_in_an_append_reply() {
    let mut node = leader(0, 3, 2, &[1, 2]);

    node.handle_message(ms(1), NodeId(1), rejected(3, 2, None));

    assert_eq!(drain(&mut node), vec![persist(3, None, &log_of(&[1, 2]), b"")]);
    assert_eq!((node.role(), node.term, node.voted_for), (RoleKind::Follower, Term(3), None));
    assert_eq!(node.timers.heartbeat, None);
    assert!(node.timers.election.is_some());
}

/// §5.2: a candidate that hears from the leader of its own term returns to
/// follower; its vote in that term stands (nothing to persist).
#[test]
fn candidate_steps_down_on_append_entries_of_its_own_term() {
    let mut node = candidate(0, 3, 2, &[]);

    node.handle_message(ms(1), NodeId(1), heartbeat(2, 1, (0, 0), 0));

    assert_eq!(drain(&mut node), vec![reply(1, accepted(2, 0, 0))]);
    assert_eq!(node.role, Role::Follower { leader: Some(NodeId(1)) });
    assert_eq!((node.term, node.voted_for), (Term(2), Some(NodeId(0))));
}

/// The election deadline (relative to `now`) after a heartbeat at `now`.
fn timeouts_after_heartbeats(seed: u64) -> Vec<u64> {
    let mut node = Node::new(Config { rng_seed: seed, ..config(0, 3) }, T0);
    node.term = Term(1);
    (0..20)
        .map(|k| {
            let now = ms(10 * k);
            node.handle_message(now, NodeId(1), heartbeat(1, 1, (0, 0), 0));
            assert_eq!(drain(&mut node), vec![reply(1, accepted(1, 0, 0))]);
            node.poll_timeout().expect("a follower has an election deadline").micros() - now.micros()
        })
        .collect()
}

/// §5.2: "election timeouts are chosen randomly from a fixed interval": every
/// reset draws a fresh value in [min, max), and the draws are the node's own
/// seeded sequence, so the same seed replays the same timeouts.
#[test]
fn election_timeout_is_drawn_in_range_and_redrawn_on_each_reset() {
    let (min, max) = (config(0, 3).election_timeout_min_us, config(0, 3).election_timeout_max_us);
    let fresh = follower(0, 3, 0, &[]).poll_timeout().unwrap().micros();
    assert!((min..max).contains(&fresh), "initial timeout {fresh} outside [{min}, {max})");

    let spans = timeouts_after_heartbeats(7);
    for &span in &spans {
        assert!((min..max).contains(&span), "timeout {span} outside [{min}, {max})");
    }
    let mut distinct = spans.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), spans.len(), "each reset draws anew: {spans:?}");

    assert_eq!(timeouts_after_heartbeats(7), spans, "the same seed replays the same timeouts");
    assert_ne!(timeouts_after_heartbeats(8), spans, "another seed draws other timeouts");
}

/// §5.2: "Followers ... remain in follower state as long as [they receive] valid
/// RPCs from a leader": a heartbeat moves the election deadline later.
#[test]
fn heartbeat_pushes_the_election_deadline_later() {
    let mut node = follower(0, 3, 1, &[]);
    let deadline = node.poll_timeout().unwrap();
    let just_before = Instant(deadline.micros() - 1);

    node.handle_message(just_before, NodeId(1), heartbeat(1, 1, (0, 0), 0));
    assert_eq!(drain(&mut node), vec![reply(1, accepted(1, 0, 0))]);
    let pushed = node.poll_timeout().unwrap();
    assert!(pushed > deadline, "deadline {pushed:?} not after the old one {deadline:?}");

    node.handle_timeout(deadline);
    assert_eq!(drain(&mut node), vec![], "no election at the old deadline");
    assert_eq!((node.role(), node.term), (RoleKind::Follower, Term(1)));

    node.handle_timeout(pushed);
    assert_eq!(
        drain(&mut node),
        vec![
            persist(2, Some(0), &log_of(&[]), b""),
            send(1, request_vote(2, 0, 0, 0)),
            send(2, request_vote(2, 0, 0, 0)),
        ]
    );
}

/// §5.2: on election timeout a follower "increments its current term ... votes
/// for itself ... and issues RequestVote RPCs"; Figure 2 wants term and vote on
/// stable storage before those requests go out, so Persist comes first.
#[test]
fn election_timeout_persists_term_and_vote_before_requesting_votes() {
    let mut node = follower(0, 3, 1, &[1]);
    let deadline = node.poll_timeout().unwrap();

    node.handle_timeout(deadline);

    assert_eq!(
        drain(&mut node),
        vec![
            persist(2, Some(0), &log_of(&[1]), b""),
            send(1, request_vote(2, 0, 1, 1)),
            send(2, request_vote(2, 0, 1, 1)),
        ]
    );
    assert_eq!(node.role, Role::Candidate { votes: 0b001 });
    let next = node.poll_timeout().unwrap();
    assert!(next > deadline, "a new election deadline {next:?} is drawn for the candidacy");
}

/// §5.2: a candidate whose election times out starts a new term's election.
#[test]
fn candidate_starts_a_new_election_when_its_election_times_out() {
    let mut node = candidate(1, 3, 2, &[1, 2]);
    let deadline = node.poll_timeout().unwrap();

    node.handle_timeout(deadline);

    assert_eq!(
        drain(&mut node),
        vec![
            persist(3, Some(1), &log_of(&[1, 2]), b""),
            send(0, request_vote(3, 1, 2, 2)),
            send(2, request_vote(3, 1, 2, 2)),
        ]
    );
}

/// §5.2: a candidate "wins an election if it receives votes from a majority",
/// then "sends heartbeat messages to all of the other servers" at once.
/// A voter's duplicate vote counts once.
#[test]
fn candidate_with_a_majority_becomes_leader_and_heartbeats_all_peers() {
    let mut node = candidate(0, 5, 2, &[1, 1]);

    node.handle_message(ms(1), NodeId(1), vote(2, true));
    node.handle_message(ms(2), NodeId(1), vote(2, true));
    node.handle_message(ms(3), NodeId(2), vote(2, false));
    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.role(), RoleKind::Candidate, "two distinct votes of five are no majority");

    node.handle_message(ms(4), NodeId(3), vote(2, true));

    let beat = heartbeat(2, 0, (2, 1), 0);
    assert_eq!(
        drain(&mut node),
        vec![send(1, beat.clone()), send(2, beat.clone()), send(3, beat.clone()), send(4, beat)]
    );
    assert_eq!(node.role(), RoleKind::Leader);
    assert_eq!(node.timers.election, None, "a leader does not time out");
    assert_eq!(node.poll_timeout(), Some(ms(104)), "the next heartbeat is one interval away");
}

/// §5.2: a vote reply from an earlier term is not counted.
#[test]
fn vote_from_an_earlier_term_is_not_counted() {
    let mut node = candidate(0, 3, 3, &[]);

    node.handle_message(ms(1), NodeId(1), vote(2, true));

    assert_eq!(drain(&mut node), vec![]);
    assert_eq!(node.role(), RoleKind::Candidate);
}

/// §5.2 in a single-server cluster: its own vote is a majority.
#[test]
fn single_server_elects_itself_on_timeout() {
    let mut node = follower(0, 1, 0, &[]);

    node.handle_timeout(node.poll_timeout().unwrap());

    assert_eq!(drain(&mut node), vec![persist(1, Some(0), &log_of(&[]), b"")]);
    assert_eq!(node.role(), RoleKind::Leader);
    assert_eq!(node.state().last_log_index, LogIndex(0));
}
