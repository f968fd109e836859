//! Elections in the window before a failure, per term (§5.2), from the
//! steps' states: who stood (a step that made a node a candidate in a new
//! term), whose votes each candidate got (a voter's step that set its vote
//! to the candidate in that term; its own included), why votes were denied
//! (a candidate's request handled without granting: the voter's term was
//! higher, it had voted for another, or else the candidate's log was not up
//! to date, §5.4.1), and who won (a step that made the candidate leader).
//! Terms where every candidate stood at the same instant are counted: split
//! votes in lockstep point at election timeouts that are not randomised.

use std::collections::{BTreeMap, BTreeSet};

use api::Role;
use tester::trace::{Input, MessageId, MessageKind, TraceEvent, Traced};

use super::super::describe::denial;
use super::at;

/// How many terms the diagnosis lists one by one (the latest).
pub const TERMS_SHOWN: usize = 6;

/// One term's election.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Election {
    pub term: u64,
    /// When each candidate stood.
    pub stood_us: BTreeMap<u32, u64>,
    /// Each candidate's votes, its own included.
    pub votes: BTreeMap<u32, BTreeSet<u32>>,
    /// Denied votes, by reason.
    pub denied: BTreeMap<String, u64>,
    pub winner: Option<u32>,
}

impl Election {
    fn summary(&self, majority: usize) -> String {
        let tallies: Vec<String> = self
            .votes
            .iter()
            .map(|(candidate, voters)| {
                let voters: Vec<String> = voters.iter().map(|voter| format!("n{voter}")).collect();
                format!("n{candidate}←{{{}}}", voters.join(","))
            })
            .collect();
        let tallies = tallies.join(" ");
        let outcome = match self.winner {
            Some(winner) => format!("won by n{winner}: {tallies}"),
            // Votes granted, but their replies lost or too late: the candidate never heard of its majority.
            None if self.votes.values().any(|voters| voters.len() >= majority) => {
                format!("majority granted, never led: {tallies}")
            }
            None if self.votes.len() > 1 => format!("split vote {tallies}"),
            None => format!("lost: {tallies}"),
        };
        let first = self.stood_us.values().min().copied().unwrap_or(0);
        let mut line = format!("t{} at {}: {outcome}", self.term, at(first));
        if !self.denied.is_empty() {
            let denied: Vec<String> = self.denied.iter().map(|(why, count)| format!("{why} ×{count}")).collect();
            line.push_str(&format!("; denied: {}", denied.join(", ")));
        }
        line
    }

    fn in_lockstep(&self) -> bool {
        let times: BTreeSet<u64> = self.stood_us.values().copied().collect();
        self.stood_us.len() > 1 && times.len() == 1
    }
}

/// The elections of every term a candidate stood in at or after `since_us`.
pub fn collect(trace: &[Traced], since_us: u64) -> Vec<Election> {
    let mut elections: BTreeMap<u64, Election> = BTreeMap::new();
    let mut roles: BTreeMap<u32, Option<Role>> = BTreeMap::new();
    // Requests sent by candidates: (candidate, term).
    let mut asks: BTreeMap<MessageId, (u32, u64)> = BTreeMap::new();
    for traced in trace {
        let time_us = traced.at.micros();
        match &traced.event {
            TraceEvent::Sent { id, from, kind: MessageKind::Request, term: Some(term), .. }
                if roles.get(from).copied().flatten() == Some(Role::Candidate) =>
            {
                asks.insert(*id, (*from, term.0));
            }
            TraceEvent::Restored { node, state } => {
                roles.insert(*node, state.role());
            }
            TraceEvent::Step { node, input, before, after } => {
                roles.insert(*node, after.role());
                let stood = after.role() == Some(Role::Candidate)
                    && (before.role() != Some(Role::Candidate) || before.term != after.term);
                if stood && time_us >= since_us {
                    let term = after.term;
                    let election = elections.entry(term).or_insert_with(|| Election { term, ..Election::default() });
                    election.stood_us.insert(*node, time_us);
                    election.votes.entry(*node).or_default().insert(*node);
                }
                if let Some(&(candidate, term)) = match input {
                    Input::Message(id) => asks.get(id),
                    _ => None,
                } {
                    if let Some(election) = elections.get_mut(&term) {
                        match denial(before, after, candidate, term) {
                            None => {
                                election.votes.entry(candidate).or_default().insert(*node);
                            }
                            Some(why) => *election.denied.entry(why.to_string()).or_default() += 1,
                        }
                    }
                }
                if after.role() == Some(Role::Leader) && before.role() != Some(Role::Leader) {
                    if let Some(election) = elections.get_mut(&after.term) {
                        election.winner = Some(*node);
                    }
                }
            }
            _ => {}
        }
    }
    elections.into_values().collect()
}

/// The elections as a few lines.
pub fn describe(trace: &[Traced], servers: usize, since_us: u64) -> Vec<String> {
    let elections = collect(trace, since_us);
    let majority = servers / 2 + 1;
    let (Some(first), Some(last)) = (elections.first(), elections.last()) else {
        return vec!["elections: nobody stood for election in the window".into()];
    };
    let won = elections.iter().filter(|election| election.winner.is_some()).count();
    let split = elections.iter().filter(|e| e.winner.is_none() && e.votes.len() > 1).count();
    let terms = if first.term == last.term {
        format!("term {}", first.term)
    } else {
        format!("terms {}–{}", first.term, last.term)
    };
    let mut text = vec![format!(
        "elections: {} in {terms}, {won} won, {split} split; a leader needs {majority} of {servers} votes",
        elections.len()
    )];
    let skipped = elections.len().saturating_sub(TERMS_SHOWN);
    if skipped > 0 {
        text.push(format!("  ({skipped} earlier term(s) not listed)"));
    }
    for election in &elections[skipped..] {
        text.push(format!("  {}", election.summary(majority)));
    }
    let lockstep = elections.iter().filter(|election| election.in_lockstep()).count();
    let contested = elections.iter().filter(|election| election.stood_us.len() > 1).count();
    if lockstep > 0 {
        text.push(format!(
            "  in {lockstep} of {contested} contested terms every candidate stood at the same instant: are election timeouts randomised (§5.2)?"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::super::fixtures::{at, request, view};
    use super::*;
    use tester::trace::NodeView;

    fn step(node: u32, input: Input, before: NodeView, after: NodeView) -> TraceEvent {
        TraceEvent::Step { node, input, before, after }
    }

    #[test]
    fn votes_count_for_the_term_the_candidate_asked_for() {
        let follower = |term| view(term, Role::Follower, None, 0);
        let candidate = |node, term| view(term, Role::Candidate, Some(node), 0);
        let msg = |id| Input::Message(MessageId(id));
        let trace = vec![
            at(100, step(0, Input::Timeout, follower(3), candidate(0, 4))),
            at(100, step(1, Input::Timeout, follower(3), candidate(1, 4))),
            at(100, request(1, 0, 2, 4)),
            at(100, request(2, 1, 2, 4)),
            at(100, request(3, 0, 1, 4)),
            // n2 grants n0, then denies n1 (already voted).
            at(101, step(2, msg(1), follower(3), view(4, Role::Follower, Some(0), 0))),
            at(101, step(2, msg(2), view(4, Role::Follower, Some(0), 0), view(4, Role::Follower, Some(0), 0))),
            // A voter already in term 9 denies a term-4 request: stale term.
            at(102, step(1, msg(3), follower(9), follower(9))),
            at(103, step(0, Input::Timeout, candidate(0, 4), view(4, Role::Leader, Some(0), 0))),
        ];
        let elections = collect(&trace, 0);
        assert_eq!(elections.len(), 1);
        let election = &elections[0];
        assert_eq!(election.votes[&0], BTreeSet::from([0, 2]));
        assert_eq!(election.votes[&1], BTreeSet::from([1]));
        assert_eq!(election.denied, BTreeMap::from([("already voted".into(), 1), ("stale term".into(), 1)]));
        assert_eq!(election.winner, Some(0));
        assert_eq!(
            election.summary(2),
            "t4 at 0.00s: won by n0: n0←{n0,n2} n1←{n1}; denied: already voted ×1, stale term ×1"
        );
        assert!(election.in_lockstep());
    }
}
