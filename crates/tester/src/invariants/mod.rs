//! Raft's safety properties (Figure 3 of the paper), checked after every step
//! of every run, through the read-only [`api::Inspect`] view, so they hold any
//! Raft plugged into the tester to the paper's standard, not only the lab's.
//!
//! A step changes one node only (the one that handled the event), so each
//! check looks at that node and at what the run has recorded so far, and
//! costs O(1) when nothing changed: the logs are compared by induction (see
//! [`log_matching`]), not entry by entry.

mod election_safety;
mod leader_completeness;
mod log_matching;
mod monotonic;
mod ordering;
mod state_machine;

#[cfg(test)]
mod tests;

use api::{EntryKind, Inspect, Node, NodeState as State};

use crate::{Failure, Invariant};
use sim::Time;

/// What the run has seen of one server, across its incarnations.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeTrack {
    /// The term of each index of the node's log, as last verified (0 = unknown).
    seen_terms: Vec<u64>,
    term: u64,
    /// The first vote seen in `vote_term`.
    vote_term: u64,
    vote: Option<u32>,
    commit: u64,
    applied: u64,
    incarnation: u32,
    leader_of: Option<u64>,
    /// The state the last step ended in, checked in full: a step that leaves
    /// it unchanged (a heartbeat, a vote reply) cannot break anything.
    checked: Option<State>,
    /// How many committed entries the last Leader Completeness check saw.
    committed_cursor: usize,
}

/// The run's record for the invariants.
#[derive(Debug)]
pub(crate) struct Invariants {
    enabled: bool,
    election: election_safety::Leaders,
    entries: log_matching::Registry,
    committed: leader_completeness::Committed,
    applied: state_machine::Applied,
    nodes: Vec<NodeTrack>,
}

/// An invariant was broken: which one, and the facts.
pub(crate) fn violation(invariant: Invariant, now: Time, facts: String) -> Failure {
    Failure::new(invariant, format!("{facts} (at {now})")).at(now)
}

/// A cheap identity for a command's bytes, compared only within one run:
/// foldhash with its fixed seed (one folded multiply for a command of up to
/// 16 bytes, as most of the lab's are). It reads words in native byte order, so
/// its values differ between platforms, but no value leaves the run: traces,
/// hashes and verdicts never depend on which 64-bit identity it is.
pub(crate) fn command_hash(command: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // `write` folds the length in; `hash_one` would add it again.
    let mut hasher = foldhash::fast::FixedState::default().build_hasher();
    hasher.write(command);
    hasher.finish()
}

impl Invariants {
    pub fn new(servers: usize, enabled: bool) -> Invariants {
        // Records sized for a short run's log, so that most runs never regrow them.
        const INDEXES: usize = 32;
        Invariants {
            enabled,
            election: Default::default(),
            entries: log_matching::Registry::with_capacity(INDEXES),
            committed: leader_completeness::Committed::with_capacity(INDEXES),
            applied: state_machine::Applied::with_capacity(INDEXES),
            nodes: (0..servers)
                .map(|_| NodeTrack { seen_terms: Vec::with_capacity(INDEXES), ..NodeTrack::default() })
                .collect(),
        }
    }

    /// Server `i` (incarnation `incarnation`) just finished a step: check it.
    pub fn after_step(
        &mut self,
        i: usize,
        incarnation: u32,
        node: &dyn Inspect,
        state: State,
        now: Time,
    ) -> Result<(), Failure> {
        if !self.enabled {
            return Ok(());
        }
        let track = &mut self.nodes[i];
        let restarted = track.incarnation != incarnation;
        // Every check below is a function of the state and of the log from
        // the changed index up; the log is compared from its last (index,
        // term) down, which the state holds. Same state, same verdict.
        // (A leader is also owed a check of entries committed since its last one.)
        let behind = state.role == api::Role::Leader && track.committed_cursor != self.committed.known();
        if !restarted && !behind && track.checked.as_ref() == Some(&state) {
            return Ok(());
        }
        // By the same rule, a log whose bounds did not move needs no Log Matching walk.
        let log_moved = restarted || track.checked.is_none_or(|checked| !same_log_bounds(&checked, &state));
        track.checked = None;
        if restarted {
            track.incarnation = incarnation;
            track.commit = state.snapshot_index.0;
            track.applied = state.snapshot_index.0;
        }
        monotonic::check(track, i, &state, now)?;
        ordering::check(i, &state, now)?;
        self.election.check(i, &state, now)?;
        let changed_from = if log_moved {
            log_matching::check(&mut self.entries, &mut self.nodes[i].seen_terms, i, node, &state, now)?
        } else {
            None
        };
        let track = &mut self.nodes[i];
        let old_commit = std::mem::replace(&mut track.commit, state.commit_index.0);
        track.applied = state.last_applied.0;
        self.committed.record(&track.seen_terms, i, &state, old_commit, now)?;
        let track = &mut self.nodes[i];
        let newly_leader = leader_completeness::newly_leader(track, &state);
        // A new leader must hold everything committed before; a leader is then
        // checked only from the lowest index where its log changed or an entry
        // became known committed since its last check.
        let newly_committed = self.committed.lowest_since(track.committed_cursor);
        track.committed_cursor = self.committed.known();
        let check_from = match (newly_leader, changed_from, newly_committed) {
            (true, _, _) => Some(state.snapshot_index.0 + 1),
            (false, Some(a), Some(b)) => Some(a.min(b)),
            (false, a, b) => a.or(b),
        };
        if let Some(from) = check_from.filter(|&from| from <= self.committed.max_index()) {
            self.committed.check_leader(&track.seen_terms, i, &state, from, now)?;
        }
        self.nodes[i].checked = Some(state);
        Ok(())
    }

    /// Server `i` just handled a message of `message_term` (before its outputs).
    pub fn after_receive(&self, i: usize, message_term: u64, node: &dyn Node, now: Time) -> Result<(), Failure> {
        if !self.enabled {
            return Ok(());
        }
        monotonic::check_term_rule(i, message_term, node, now)
    }

    /// Server `i` applied `command` at `index` (State Machine Safety, §5.4.3).
    pub fn applied_command(&mut self, i: usize, index: u64, command: &[u8], now: Time) -> Result<(), Failure> {
        if !self.enabled {
            return Ok(());
        }
        self.applied.record(i, index, command_hash(command), now)
    }

    /// Server `i` switched to a snapshot holding `commands` at 0..=index.
    pub fn applied_snapshot(&mut self, i: usize, commands: &[Option<&[u8]>], now: Time) -> Result<(), Failure> {
        if !self.enabled {
            return Ok(());
        }
        self.applied.record_all(i, commands, now)
    }
}

/// The log's bounds, which Log Matching's walk starts from.
fn same_log_bounds(a: &State, b: &State) -> bool {
    (a.last_log_index, a.last_log_term, a.snapshot_index) == (b.last_log_index, b.last_log_term, b.snapshot_index)
}

/// A cheap identity for an entry's content (internal entries all alike).
pub(crate) fn entry_hash(kind: &EntryKind) -> u64 {
    match kind {
        EntryKind::Command(command) => command_hash(command),
        EntryKind::Internal => u64::MAX,
    }
}
