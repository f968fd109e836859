//! Leader Completeness (§5.4): if a log entry is committed in a given term,
//! that entry will be present in the logs of the leaders of all higher terms.
//!
//! Also records what is committed: two servers committing different entries
//! at one index breaks State Machine Safety (§5.4.3) before anything applies it.
//!
//! Entries are compared by term alone. Log Matching's registry ties every
//! (index, term) ever seen to one command and fails the run the moment a log
//! holds another, so two entries of one index and term hold one command. The
//! terms come from the node's log as Log Matching has just verified it (its
//! `seen_terms`), not from asking the node again.

use api::{NodeState as State, Role};
use sim::Time;

use super::{state_machine, violation, NodeTrack};

use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::LeaderCompleteness;

/// One committed entry: its term, and the term it was first known committed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CommittedEntry {
    term: u64,
    commit_term: u64,
    committed_by: usize,
}

/// Every entry known to be committed, by index.
#[derive(Debug, Default)]
pub(crate) struct Committed {
    entries: Vec<Option<CommittedEntry>>,
    /// The index of every entry in the order it became known committed, so a
    /// leader is checked against the entries committed since its last check.
    order: Vec<u64>,
}

/// True the first time node `track` is seen as leader of its current term.
pub(crate) fn newly_leader(track: &mut NodeTrack, state: &State) -> bool {
    if state.role != Role::Leader {
        return false;
    }
    let term = state.term.0;
    let newly = track.leader_of != Some(term);
    track.leader_of = Some(term);
    newly
}

impl Committed {
    /// Room for `indexes` committed indexes before the record grows.
    pub fn with_capacity(indexes: usize) -> Committed {
        Committed { entries: Vec::with_capacity(indexes), order: Vec::with_capacity(indexes) }
    }

    pub fn max_index(&self) -> u64 {
        self.entries.len().saturating_sub(1) as u64
    }

    /// How many entries are known committed: a cursor for [`Committed::lowest_since`].
    pub fn known(&self) -> usize {
        self.order.len()
    }

    /// The lowest index that became known committed after the first `cursor`.
    pub fn lowest_since(&self, cursor: usize) -> Option<u64> {
        self.order[cursor.min(self.order.len())..].iter().copied().min()
    }

    /// Node `i` moved its commit index from `old_commit` to `state.commit_index`;
    /// `seen_terms` is its log's terms by index, as Log Matching verified them.
    pub fn record(
        &mut self,
        seen_terms: &[u64],
        i: usize,
        state: &State,
        old_commit: u64,
        now: Time,
    ) -> Result<(), Failure> {
        let first = old_commit.max(state.snapshot_index.0) + 1;
        for index in first..=state.commit_index.0 {
            let Some(term) = live_term(seen_terms, index) else { continue };
            let at = index as usize;
            if self.entries.len() <= at {
                self.entries.resize(at + 1, None);
            }
            match self.entries[at] {
                None => {
                    let entry = CommittedEntry { term, commit_term: state.term.0, committed_by: i };
                    self.entries[at] = Some(entry);
                    self.order.push(index);
                }
                Some(known) if known.term != term => {
                    return Err(violation(
                        state_machine::NAME,
                        now,
                        format!(
                            "index {index} committed as a term-{} entry by n{} and as a term-{term} entry by n{i}",
                            known.term, known.committed_by
                        ),
                    )
                    .index(index)
                    .term(term)
                    .node(known.committed_by)
                    .node(i));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Leader `i` must hold every entry committed in an earlier term, from
    /// index `from` up (below it, its log is unchanged since the last check);
    /// `seen_terms` is its log's terms by index, as Log Matching verified them.
    pub fn check_leader(
        &self,
        seen_terms: &[u64],
        i: usize,
        state: &State,
        from: u64,
        now: Time,
    ) -> Result<(), Failure> {
        if state.role != Role::Leader {
            return Ok(());
        }
        let leader_term = state.term.0;
        let first = from.max(state.snapshot_index.0 + 1) as usize;
        for (index, entry) in self.entries.iter().enumerate().skip(first) {
            let Some(entry) = entry else { continue };
            if entry.commit_term >= leader_term {
                continue;
            }
            let held = live_term(seen_terms, index as u64);
            if held != Some(entry.term) {
                let held = held.map_or("nothing".to_string(), |term| format!("a term-{term} entry"));
                return Err(violation(
                    NAME,
                    now,
                    format!(
                        "n{i}, leader of term {leader_term}, holds {held} at index {index}, \
                         where a term-{} entry was committed in term {} (by n{})",
                        entry.term, entry.commit_term, entry.committed_by
                    ),
                )
                .index(index as u64)
                .term(leader_term)
                .node(entry.committed_by)
                .node(i));
            }
        }
        Ok(())
    }
}

/// The term of the live entry at `index` (above the snapshot: Log Matching
/// keeps `seen_terms` for live entries only), if the log holds one.
fn live_term(seen_terms: &[u64], index: u64) -> Option<u64> {
    seen_terms.get(index as usize).copied().filter(|&term| term != 0)
}
