//! Renumbering between a Raft's own log indexes and the lab's numbering of
//! commands (LAB-SPEC §4: `one()` and Start expect the n-th command at index
//! n), for a Raft that appends entries of its own, such as a leader's no-op
//! at election (Raft §8, thesis §6.4).
//!
//! The helper keeps, for every internal entry, its own index; a command's
//! lab index is its own index less the internal entries before it. It must
//! be told of truncations (a follower dropping a conflicting suffix) and of
//! compaction (a snapshot), and it is persisted with the Raft's state.

use crate::LogIndex;

/// The map between own indexes and lab indexes for one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renumbering {
    /// Own indexes of internal entries, ascending, above `floor`.
    internal: Vec<u64>,
    /// Own index of the last compacted entry.
    floor_own: u64,
    /// Internal entries at or below `floor_own`.
    floor_internal: u64,
}

impl Renumbering {
    /// A node whose log is empty.
    pub fn new() -> Renumbering {
        Renumbering::default()
    }

    /// Restores the map from its parts (see [`Renumbering::parts`]).
    pub fn from_parts(floor_own: u64, floor_internal: u64, internal: Vec<u64>) -> Renumbering {
        assert!(internal.windows(2).all(|w| w[0] < w[1]), "internal indexes ascend");
        assert!(internal.first().is_none_or(|&first| first > floor_own), "internal indexes lie above the floor");
        Renumbering { internal, floor_own, floor_internal }
    }

    /// What to persist: (compacted own index, internal entries at or below it, internal indexes above it).
    pub fn parts(&self) -> (u64, u64, &[u64]) {
        (self.floor_own, self.floor_internal, &self.internal)
    }

    /// The entry at own index `own` is internal (appended in index order).
    pub fn push_internal(&mut self, own: LogIndex) {
        assert!(own.0 > self.floor_own, "index {own} is compacted");
        assert!(self.internal.last().is_none_or(|&last| last < own.0), "internal entries are pushed in order");
        self.internal.push(own.0);
    }

    /// The log lost every entry from own index `from` on (a conflicting suffix).
    pub fn truncate_from(&mut self, from: LogIndex) {
        let keep = self.internal.partition_point(|&own| own < from.0);
        self.internal.truncate(keep);
    }

    /// Entries up to own index `through` were compacted into a snapshot.
    pub fn compact_through(&mut self, through: LogIndex) {
        if through.0 <= self.floor_own {
            return;
        }
        let gone = self.internal.partition_point(|&own| own <= through.0);
        self.floor_internal += gone as u64;
        self.internal.drain(..gone);
        self.floor_own = through.0;
    }

    /// A snapshot installed from a leader replaces everything through own
    /// index `through`, of which `internal_through` entries were internal.
    pub fn reset_to(&mut self, through: LogIndex, internal_through: u64) {
        self.internal.retain(|&own| own > through.0);
        self.floor_own = through.0;
        self.floor_internal = internal_through;
    }

    /// Internal entries at own indexes ≤ `own`.
    fn internal_through(&self, own: u64) -> u64 {
        self.floor_internal + self.internal.partition_point(|&index| index <= own) as u64
    }

    /// Whether the entry at own index `own` is internal (known above the floor only).
    pub fn is_internal(&self, own: LogIndex) -> bool {
        self.internal.binary_search(&own.0).is_ok()
    }

    /// The lab index of the command at own index `own`, or of the last command before it.
    pub fn to_lab(&self, own: LogIndex) -> LogIndex {
        LogIndex(own.0 - self.internal_through(own.0))
    }

    /// The own index of the command with lab index `lab`; the floor's own
    /// index for the floor's lab index; `None` below the floor (compacted away).
    pub fn to_own(&self, lab: LogIndex) -> Option<LogIndex> {
        let floor_lab = self.floor_own - self.floor_internal;
        if lab.0 < floor_lab {
            return None;
        }
        if lab.0 == floor_lab {
            return Some(LogIndex(self.floor_own));
        }
        // Own index = lab + internal entries before it: walk the internal list.
        let mut own = lab.0 + self.floor_internal;
        for &internal in &self.internal {
            if internal <= own {
                own += 1;
            } else {
                break;
            }
        }
        Some(LogIndex(own))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_skip_internal_entries_both_ways() {
        // own: 1=noop 2=a 3=b 4=noop 5=c
        let mut map = Renumbering::new();
        map.push_internal(LogIndex(1));
        map.push_internal(LogIndex(4));
        let pairs = [(2, 1), (3, 2), (5, 3)];
        for (own, lab) in pairs {
            assert_eq!(map.to_lab(LogIndex(own)), LogIndex(lab));
            assert_eq!(map.to_own(LogIndex(lab)), Some(LogIndex(own)));
        }
        assert!(map.is_internal(LogIndex(4)) && !map.is_internal(LogIndex(5)));
        assert_eq!(map.to_own(LogIndex(0)), Some(LogIndex(0)));
    }

    #[test]
    fn truncation_forgets_the_internal_entries_of_the_suffix() {
        let mut map = Renumbering::new();
        map.push_internal(LogIndex(1));
        map.push_internal(LogIndex(4));
        map.truncate_from(LogIndex(3));
        assert_eq!(map.to_lab(LogIndex(4)), LogIndex(3));
        map.push_internal(LogIndex(3));
        assert_eq!(map.to_own(LogIndex(2)), Some(LogIndex(4)));
    }

    #[test]
    fn compaction_and_snapshot_install_keep_the_numbering() {
        let mut map = Renumbering::new();
        for own in [1, 4, 7] {
            map.push_internal(LogIndex(own));
        }
        map.compact_through(LogIndex(5));
        assert_eq!(map.parts(), (5, 2, &[7][..]));
        assert_eq!(map.to_lab(LogIndex(6)), LogIndex(4));
        assert_eq!(map.to_own(LogIndex(4)), Some(LogIndex(6)));
        assert_eq!(map.to_own(LogIndex(5)), Some(LogIndex(8)));
        assert_eq!(map.to_own(LogIndex(3)), Some(LogIndex(5)), "the floor's lab index");
        assert_eq!(map.to_own(LogIndex(2)), None, "compacted away");
        let restored = Renumbering::from_parts(5, 2, vec![7]);
        assert_eq!(restored, map);
        map.reset_to(LogIndex(10), 4);
        assert_eq!(map.to_lab(LogIndex(11)), LogIndex(7));
        assert_eq!(map.to_own(LogIndex(7)), Some(LogIndex(11)));
    }
}
