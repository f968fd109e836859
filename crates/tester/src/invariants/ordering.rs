//! The order of a server's indexes (Figure 2, §7): snapshot index ≤ applied ≤
//! commit ≤ last log index. A server applies only what is committed, and
//! commits only what its log holds.

use api::NodeState as State;
use sim::Time;

use super::violation;
use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::IndexOrder;

pub(crate) fn check(i: usize, state: &State, now: Time) -> Result<(), Failure> {
    let (snapshot, applied, commit, last) =
        (state.snapshot_index, state.last_applied, state.commit_index, state.last_log_index);
    if snapshot <= applied && applied <= commit && commit <= last {
        return Ok(());
    }
    Err(violation(
        NAME,
        now,
        format!("n{i} has snapshot {snapshot}, applied {applied}, commit {commit}, last log index {last}"),
    )
    .node(i))
}
