//! Log Matching (§5.3): if two logs contain an entry with the same index and
//! term, the logs are identical in all entries up through that index.
//!
//! Checked by induction over a registry of every (index, term) ever seen in
//! any log: each must always carry the same command and sit after an entry of
//! the same term. Two logs that share (i, t) then share (i-1, t') with the
//! same t', and so on down: identical prefixes. So a node's log needs checking
//! only from the highest index where it changed; below the first (i, t) it
//! already had, nothing changed.

use api::{LogIndex, NodeState as State};
use sim::Time;

use super::{entry_hash, violation};
use api::Inspect;

use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::LogMatching;

/// What an (index, term) must always be: its command and the term before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EntryId {
    pub command_hash: u64,
    pub prev_term: u64,
    pub first_seen_on: usize,
}

/// Every (index, term) seen, by index: a log index holds entries of few
/// terms over a run (most of one), so the first term of an index sits in
/// place and the others in a short list, which stays unallocated.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    by_index: Vec<Terms>,
}

/// The terms seen at one index, in the order they were first seen.
#[derive(Debug, Default)]
struct Terms {
    first: Option<(u64, EntryId)>,
    more: Vec<(u64, EntryId)>,
}

impl Registry {
    /// Room for `indexes` indexes before the registry grows.
    pub fn with_capacity(indexes: usize) -> Registry {
        Registry { by_index: Vec::with_capacity(indexes) }
    }

    pub fn get(&self, index: u64, term: u64) -> Option<&EntryId> {
        let terms = self.by_index.get(index as usize)?;
        terms.first.iter().chain(&terms.more).find(|(seen, _)| *seen == term).map(|(_, id)| id)
    }

    fn insert(&mut self, index: u64, term: u64, id: EntryId) {
        let at = index as usize;
        if self.by_index.len() <= at {
            // Most often the next index: one push, no fill.
            self.by_index.resize_with(at, Terms::default);
            self.by_index.push(Terms { first: Some((term, id)), more: Vec::new() });
            return;
        }
        let terms = &mut self.by_index[at];
        if terms.first.is_none() {
            terms.first = Some((term, id));
        } else {
            terms.more.push((term, id));
        }
    }
}

/// Checks the part of node `i`'s log that changed since `seen_terms`, and
/// updates it. Returns the lowest index that changed, if any did.
pub(crate) fn check(
    registry: &mut Registry,
    seen_terms: &mut Vec<u64>,
    i: usize,
    node: &dyn Inspect,
    state: &State,
    now: Time,
) -> Result<Option<u64>, Failure> {
    let (last, floor) = (state.last_log_index.0, state.snapshot_index.0);
    let term_at = |index: u64| node.term_at(LogIndex(index)).map_or(0, |term| term.0);
    // Walk down to the highest index this node already had, unchanged
    // (`term_here` is the term at `unchanged`: each index is asked once).
    let mut unchanged = last;
    let mut term_here = term_at(last);
    while unchanged > floor && seen_terms.get(unchanged as usize) != Some(&term_here) {
        unchanged -= 1;
        term_here = term_at(unchanged);
    }
    if unchanged == last && seen_terms.len() == last as usize + 1 {
        return Ok(None);
    }
    seen_terms.resize(last as usize + 1, 0);
    // Up from there, each entry read once: its term and command, and the
    // term before it carried over from the index below.
    let mut prev_term = term_here;
    for index in unchanged + 1..=last {
        let (term, content) = match node.entry(LogIndex(index)) {
            Some(entry) => (entry.term.0, entry_hash(&entry.kind)),
            None => (term_at(index), 0),
        };
        let id = EntryId { command_hash: content, prev_term, first_seen_on: i };
        prev_term = term;
        match registry.get(index, term) {
            None => {
                registry.insert(index, term, id);
            }
            Some(known) if known.command_hash != id.command_hash => {
                return Err(violation(
                    NAME,
                    now,
                    format!("index {index} term {term} holds different commands on n{} and n{i}", known.first_seen_on),
                )
                .index(index)
                .term(term)
                .node(known.first_seen_on)
                .node(i));
            }
            Some(known) if known.prev_term != id.prev_term => {
                return Err(violation(
                    NAME,
                    now,
                    format!(
                        "index {index} term {term} follows term {} on n{} but term {} on n{i}",
                        known.prev_term, known.first_seen_on, id.prev_term
                    ),
                )
                .index(index)
                .term(term)
                .node(known.first_seen_on)
                .node(i));
            }
            Some(_) => {}
        }
        seen_terms[index as usize] = term;
    }
    Ok(Some(unchanged + 1))
}
