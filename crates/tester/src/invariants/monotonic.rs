//! What never goes backwards (Figure 2): a server's current term (it is
//! persistent, so not even across restarts); its commit and applied indexes
//! within one incarnation; and its vote within a term (at most one vote per
//! term, §5.2 — even across a restart, which is why votedFor is persistent).

use api::{Node, NodeState as State};
use sim::Time;

use super::{violation, NodeTrack};
use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::Monotonic;
pub(crate) const TERM_RULE: Invariant = Invariant::TermRule;

/// "If RPC request or response contains term T > currentTerm: set
/// currentTerm = T": after handling a message of term T, a server's term is at least T.
/// Checked through GetState alone, so it holds any Raft, inspectable or not.
pub(crate) fn check_term_rule(i: usize, message_term: u64, node: &dyn Node, now: Time) -> Result<(), Failure> {
    let (term, _) = node.get_state();
    if term.0 >= message_term {
        return Ok(());
    }
    Err(term_rule_broken(i, message_term, node, now))
}

/// Kept out of line: the check runs on every message and stays a few instructions.
#[cold]
#[inline(never)]
fn term_rule_broken(i: usize, message_term: u64, node: &dyn Node, now: Time) -> Failure {
    let (term, leader) = node.get_state();
    let role = match node.inspect() {
        Some(inspect) => inspect.state().role.name(),
        None if leader => "leader",
        None => "non-leader",
    };
    let facts = format!("n{i} received a message of term {message_term} and stayed in term {term} as {role}");
    violation(TERM_RULE, now, facts).node(i).term(message_term)
}

pub(crate) fn check(track: &mut NodeTrack, i: usize, state: &State, now: Time) -> Result<(), Failure> {
    let term = state.term.0;
    if term < track.term {
        return Err(violation(NAME, now, format!("n{i}'s term went back from {} to {term}", track.term))
            .term(term)
            .node(i));
    }
    track.term = term;
    if state.commit_index.0 < track.commit {
        return Err(violation(
            NAME,
            now,
            format!("n{i}'s commit index went back from {} to {}", track.commit, state.commit_index),
        )
        .index(state.commit_index.0)
        .node(i));
    }
    if state.last_applied.0 < track.applied {
        return Err(violation(
            NAME,
            now,
            format!("n{i}'s applied index went back from {} to {}", track.applied, state.last_applied),
        )
        .index(state.last_applied.0)
        .node(i));
    }
    let vote = state.voted_for.map(|id| id.0);
    if term > track.vote_term {
        track.vote_term = term;
        track.vote = vote;
    } else if let (Some(first), Some(now_voted)) = (track.vote, vote) {
        if first != now_voted {
            return Err(violation(
                NAME,
                now,
                format!("n{i} voted twice in term {term}: for n{first}, then for n{now_voted}"),
            )
            .term(term)
            .node(i)
            .node(first as usize)
            .node(now_voted as usize));
        }
    } else if track.vote.is_none() {
        track.vote = vote;
    }
    Ok(())
}
