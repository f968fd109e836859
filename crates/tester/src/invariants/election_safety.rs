//! Election Safety (§5.2): at most one leader can be elected in a given term,
//! over the whole run — not only among the servers connected right now.

use std::collections::BTreeMap;

use api::{NodeState as State, Role};
use sim::Time;

use super::violation;
use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::ElectionSafety;

/// The leader of every term seen so far.
#[derive(Debug, Default)]
pub(crate) struct Leaders {
    by_term: BTreeMap<u64, usize>,
}

impl Leaders {
    pub fn check(&mut self, i: usize, state: &State, now: Time) -> Result<(), Failure> {
        if state.role != Role::Leader {
            return Ok(());
        }
        let term = state.term.0;
        match self.by_term.get(&term) {
            Some(&other) if other != i => {
                Err(violation(NAME, now, format!("term {term} has two leaders: n{other} and n{i}"))
                    .term(term)
                    .node(other)
                    .node(i))
            }
            Some(_) => Ok(()),
            None => {
                self.by_term.insert(term, i);
                Ok(())
            }
        }
    }
}
