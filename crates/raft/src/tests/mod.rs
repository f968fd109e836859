//! Unit tests of the core, one per rule of the paper (Ongaro & Ousterhout,
//! extended version), in the style of etcd raft's paper tests: build a node in
//! a state, give it one input, and pin the whole drained output list.
//!
//! - [`election`]: leader election and the election restriction (§5.2, §5.4.1);
//! - [`replication`]: log replication, the commit rule and fast backup (§5.3, §5.4.2);
//! - [`snapshot`]: log compaction and InstallSnapshot (§7, Figure 13);
//! - [`persist`]: persistent state and restart (Figure 2, §5.1 "stable storage");
//! - `planted` (with the `planted-bugs` feature): each planted bug breaks the
//!   pinned output of the rule it violates.

mod election;
mod helpers;
mod persist;
#[cfg(feature = "planted-bugs")]
mod planted;
mod replication;
mod snapshot;
