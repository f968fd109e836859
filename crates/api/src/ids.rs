//! Newtypes for the words of Raft's Figure 2 (node ids, terms, log indexes)
//! and the seam's one notion of time: microseconds on a monotonic clock the
//! driver owns (never `std::time`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A peer's id: its position in the cluster, 0..n.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

/// A Raft term (§5.1). Terms only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Term(pub u64);

/// A log index. Index 0 is the empty prefix; the first entry is index 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LogIndex(pub u64);

/// A point on the driver's monotonic clock, in microseconds since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Instant(pub u64);

/// A span of time on that clock, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Duration(pub u64);

impl Instant {
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// This instant plus a span in microseconds (saturating).
    pub const fn plus_us(self, span_us: u64) -> Instant {
        Instant(self.0.saturating_add(span_us))
    }

    /// This instant plus `span` (saturating).
    pub const fn plus(self, span: Duration) -> Instant {
        self.plus_us(span.0)
    }

    /// The span from `earlier` to `self` (zero if `earlier` is later).
    pub const fn since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    pub const fn from_micros(micros: u64) -> Duration {
        Duration(micros)
    }

    pub const fn from_millis(millis: u64) -> Duration {
        Duration(millis.saturating_mul(1000))
    }

    pub const fn micros(self) -> u64 {
        self.0
    }
}

impl LogIndex {
    pub const ZERO: LogIndex = LogIndex(0);

    pub const fn next(self) -> LogIndex {
        LogIndex(self.0 + 1)
    }

    /// The index before this one (saturating at 0).
    pub const fn prev(self) -> LogIndex {
        LogIndex(self.0.saturating_sub(1))
    }
}

impl Term {
    pub const ZERO: Term = Term(0);

    pub const fn next(self) -> Term {
        Term(self.0 + 1)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
