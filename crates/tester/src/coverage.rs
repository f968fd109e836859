//! Schedule coverage: how often a run reached the situations Raft bugs live
//! in. The tester counts them cheaply as the run goes (no trace needed), so
//! sweeps can report them for every seed:
//!
//! - a split vote (a term in which a majority voted, for two or more
//!   candidates, and nobody won, §5.2);
//! - more than one candidate in a term;
//! - a leader crashed or cut off from a majority with uncommitted entries (§5.4.2, Figure 8);
//! - a message of an older term delivered (§5.1: it must be ignored);
//! - a reply overtaking a later one on the same link;
//! - a crash between a persist and a send (Figure 2: persist before responding);
//! - an InstallSnapshot delivered late (after a later request on its link) or twice (§7);
//! - a follower truncating a conflicting suffix (§5.3).
//!
//! A scenario that never reaches a situation it exists for is a scenario bug.

use std::collections::BTreeMap;
use std::fmt;

use api::{Inspect, NodeState, Role};

/// One bug-prone situation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Situation {
    SplitVote,
    CandidatesInTerm,
    LeaderLostUncommitted,
    StaleTermDelivered,
    ReplyOvertaken,
    CrashBetweenPersistAndSend,
    SnapshotLateOrTwice,
    SuffixTruncated,
}

impl Situation {
    pub const ALL: [Situation; 8] = [
        Situation::SplitVote,
        Situation::CandidatesInTerm,
        Situation::LeaderLostUncommitted,
        Situation::StaleTermDelivered,
        Situation::ReplyOvertaken,
        Situation::CrashBetweenPersistAndSend,
        Situation::SnapshotLateOrTwice,
        Situation::SuffixTruncated,
    ];

    /// A short name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Situation::SplitVote => "split-vote",
            Situation::CandidatesInTerm => "candidates>1",
            Situation::LeaderLostUncommitted => "leader-lost-uncommitted",
            Situation::StaleTermDelivered => "stale-term-delivered",
            Situation::ReplyOvertaken => "reply-overtaken",
            Situation::CrashBetweenPersistAndSend => "crash-persist-send",
            Situation::SnapshotLateOrTwice => "snapshot-late-or-twice",
            Situation::SuffixTruncated => "suffix-truncated",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Situation::SplitVote => "a majority voted in a term, for several candidates, and nobody won",
            Situation::CandidatesInTerm => "more than one candidate in a term",
            Situation::LeaderLostUncommitted => "a leader crashed or cut off from a majority with uncommitted entries",
            Situation::StaleTermDelivered => "a message of an older term delivered",
            Situation::ReplyOvertaken => "a reply delivered after the reply to a later request on its link",
            Situation::CrashBetweenPersistAndSend => "a crash inside a step between a persist and a send",
            Situation::SnapshotLateOrTwice => "an InstallSnapshot delivered after a later request, or twice",
            Situation::SuffixTruncated => "a follower truncated a conflicting suffix of its log",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Situation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many times one run reached each situation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    counts: [u64; 8],
}

impl Coverage {
    pub fn get(&self, situation: Situation) -> u64 {
        self.counts[situation.slot()]
    }

    /// Every situation with its count, in [`Situation::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (Situation, u64)> + '_ {
        Situation::ALL.into_iter().map(|situation| (situation, self.get(situation)))
    }

    pub(crate) fn add(&mut self, situation: Situation) {
        self.counts[situation.slot()] += 1;
    }
}

/// Who ran and who voted in one term.
#[derive(Clone, Copy, Debug, Default)]
struct TermSeen {
    candidates: u64,
    voters: u64,
    leader: bool,
}

/// The counters, kept by the world during a run.
#[derive(Clone, Debug)]
pub(crate) struct Tracker {
    servers: usize,
    coverage: Coverage,
    terms: BTreeMap<u64, TermSeen>,
    /// Per link (from · servers + to): the latest request delivered, by message id.
    request_max: Vec<u64>,
    /// Per link (caller · servers + callee): the latest request whose reply was delivered.
    reply_max: Vec<u64>,
    /// Each server's (last log index, its term) before its current step.
    before: Vec<Option<(u64, u64)>>,
    /// The same as its last step left them: the next step starts there, so
    /// its node need not be asked again (unknown after a crash or restart).
    after: Vec<Option<(u64, u64)>>,
    /// Each server's (term, role, voted) as last noted in `terms`: noting
    /// the same again changes nothing, so most steps skip the map.
    noted: Vec<Option<(u64, Role, bool)>>,
}

impl Tracker {
    pub fn new(servers: usize) -> Tracker {
        Tracker {
            servers,
            coverage: Coverage::default(),
            terms: BTreeMap::new(),
            request_max: vec![0; servers * servers],
            reply_max: vec![0; servers * servers],
            before: vec![None; servers],
            after: vec![None; servers],
            noted: vec![None; servers],
        }
    }

    /// A request (id `request`, named `name`) reaches `to` from `from`.
    pub fn request_delivered(&mut self, from: usize, to: usize, request: u64, name: &str) {
        let max = &mut self.request_max[from * self.servers + to];
        if name == "InstallSnapshot" && request <= *max {
            self.coverage.add(Situation::SnapshotLateOrTwice);
        }
        *max = (*max).max(request);
    }

    /// The reply to request `request` reaches `caller` from `callee`.
    pub fn reply_delivered(&mut self, caller: usize, callee: usize, request: u64) {
        let max = &mut self.reply_max[caller * self.servers + callee];
        if request < *max {
            self.coverage.add(Situation::ReplyOvertaken);
        }
        *max = (*max).max(request);
    }

    /// A message with header term `term` reaches a node now in `current`.
    pub fn term_delivered(&mut self, term: u64, current: u64) {
        if term < current {
            self.coverage.add(Situation::StaleTermDelivered);
        }
    }

    pub fn crash_split_persist_and_send(&mut self) {
        self.coverage.add(Situation::CrashBetweenPersistAndSend);
    }

    /// A leader that is about to crash, or just lost its majority: does it hold uncommitted entries?
    pub fn leader_lost(&mut self, node: &dyn Inspect) {
        let state = node.state();
        if state.role == Role::Leader && state.last_log_index > state.commit_index {
            self.coverage.add(Situation::LeaderLostUncommitted);
        }
    }

    /// Server `i` crashed: the state noted before its step is gone with it.
    pub fn crashed(&mut self, i: usize) {
        self.before[i] = None;
        self.after[i] = None;
    }

    pub fn before_step(&mut self, i: usize, node: Option<&dyn Inspect>) {
        debug_assert!(
            self.after[i].is_none()
                || node.is_none_or(|node| {
                    let state = node.state();
                    self.after[i] == Some((state.last_log_index.0, state.last_log_term.0))
                }),
            "n{i}'s log changed between two steps"
        );
        self.before[i] = node.and(self.after[i]).or_else(|| {
            node.map(|node| {
                let state = node.state();
                (state.last_log_index.0, state.last_log_term.0)
            })
        });
    }

    /// Server `i`'s step and its outputs are done; `state` is its state now.
    pub fn after_step(&mut self, i: usize, node: &dyn Inspect, state: &NodeState) {
        self.after[i] = Some((state.last_log_index.0, state.last_log_term.0));
        let Some((last_index, last_term)) = self.before[i].take() else { return };
        let noted = Some((state.term.0, state.role, state.voted_for.is_some()));
        if self.noted[i] != noted && (state.role != Role::Follower || state.voted_for.is_some()) {
            self.noted[i] = noted;
            let seen = self.terms.entry(state.term.0).or_default();
            match state.role {
                Role::Candidate => seen.candidates |= 1 << i,
                Role::Leader => seen.leader = true,
                Role::Follower => {}
            }
            if state.voted_for.is_some() {
                seen.voters |= 1 << i;
            }
        }
        // A log whose last (index, term) did not move lost nothing (the
        // same entry, by Log Matching); only a moved one is asked again.
        let moved = (state.last_log_index.0, state.last_log_term.0) != (last_index, last_term);
        let above_snapshot = last_index > state.snapshot_index.0;
        if moved && above_snapshot && node.term_at(api::LogIndex(last_index)) != Some(api::Term(last_term)) {
            self.coverage.add(Situation::SuffixTruncated);
        }
    }

    /// The counts so far; terms still open at the end count too.
    pub fn coverage(&self) -> Coverage {
        let mut coverage = self.coverage;
        let quorum = self.servers as u32 / 2 + 1;
        for seen in self.terms.values() {
            if seen.candidates.count_ones() > 1 {
                coverage.add(Situation::CandidatesInTerm);
                // A majority voted, some for a candidate other than themselves, and nobody won.
                let split = seen.voters.count_ones() >= quorum && seen.voters & !seen.candidates != 0;
                if !seen.leader && split {
                    coverage.add(Situation::SplitVote);
                }
            }
        }
        coverage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overtaking_replies_stale_terms_and_repeated_snapshots_are_counted() {
        let mut tracker = Tracker::new(3);
        tracker.reply_delivered(0, 1, 7);
        tracker.reply_delivered(0, 1, 5);
        tracker.reply_delivered(0, 2, 6);
        tracker.term_delivered(2, 3);
        tracker.term_delivered(3, 3);
        tracker.request_delivered(0, 1, 4, "InstallSnapshot");
        tracker.request_delivered(0, 1, 4, "InstallSnapshot");
        tracker.request_delivered(0, 2, 9, "AppendEntries");
        tracker.request_delivered(0, 2, 8, "AppendEntries");
        let coverage = tracker.coverage();
        assert_eq!(coverage.get(Situation::ReplyOvertaken), 1);
        assert_eq!(coverage.get(Situation::StaleTermDelivered), 1);
        assert_eq!(coverage.get(Situation::SnapshotLateOrTwice), 1);
        assert_eq!(coverage.get(Situation::SplitVote), 0);
    }
}
