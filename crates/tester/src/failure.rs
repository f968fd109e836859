//! A failed run as data: which check failed (one of the lab's checks, one
//! of Raft's invariants, the liveness phase, the time limit, the driver's
//! protocol checks, determinism), when, and the index, term and nodes it
//! concerns, plus the lab's prose for people. Nothing downstream matches on
//! the prose.

use std::fmt;

use sim::Time;

/// One of the lab's checks, by the name `config.go` / `test_test.go` give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabCheck {
    CheckOneLeader,
    CheckTerms,
    CheckNoLeader,
    NCommitted,
    Wait,
    One,
    /// The applier's checks (agreement at an index, order).
    Apply,
    /// A snapshot that does not decode at restart.
    Snapshot,
    LogSize,
    RpcBytes,
    Start,
    ConcurrentStarts,
    Count,
    Churn,
    SnapshotAllCrash,
}

impl LabCheck {
    pub const ALL: &'static [LabCheck] = &[
        LabCheck::CheckOneLeader,
        LabCheck::CheckTerms,
        LabCheck::CheckNoLeader,
        LabCheck::NCommitted,
        LabCheck::Wait,
        LabCheck::One,
        LabCheck::Apply,
        LabCheck::Snapshot,
        LabCheck::LogSize,
        LabCheck::RpcBytes,
        LabCheck::Start,
        LabCheck::ConcurrentStarts,
        LabCheck::Count,
        LabCheck::Churn,
        LabCheck::SnapshotAllCrash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LabCheck::CheckOneLeader => "checkOneLeader",
            LabCheck::CheckTerms => "checkTerms",
            LabCheck::CheckNoLeader => "checkNoLeader",
            LabCheck::NCommitted => "nCommitted",
            LabCheck::Wait => "wait",
            LabCheck::One => "one",
            LabCheck::Apply => "apply",
            LabCheck::Snapshot => "snapshot",
            LabCheck::LogSize => "logSize",
            LabCheck::RpcBytes => "rpcBytes",
            LabCheck::Start => "start",
            LabCheck::ConcurrentStarts => "concurrentStarts",
            LabCheck::Count => "count",
            LabCheck::Churn => "churn",
            LabCheck::SnapshotAllCrash => "snapshotAllCrash",
        }
    }
}

/// One of Raft's safety properties (Figure 3) and Figure 2's rules, checked after every step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    ElectionSafety,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    Monotonic,
    TermRule,
    IndexOrder,
}

impl Invariant {
    pub const ALL: &'static [Invariant] = &[
        Invariant::ElectionSafety,
        Invariant::LogMatching,
        Invariant::LeaderCompleteness,
        Invariant::StateMachineSafety,
        Invariant::Monotonic,
        Invariant::TermRule,
        Invariant::IndexOrder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Invariant::ElectionSafety => "Election Safety (§5.2)",
            Invariant::LogMatching => "Log Matching (§5.3)",
            Invariant::LeaderCompleteness => "Leader Completeness (§5.4)",
            Invariant::StateMachineSafety => "State Machine Safety (§5.4.3)",
            Invariant::Monotonic => "Monotonic state (Figure 2)",
            Invariant::TermRule => "Term rule (Figure 2, all servers)",
            Invariant::IndexOrder => "Index order (Figure 2, §7)",
        }
    }
}

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    Lab(LabCheck),
    Invariant(Invariant),
    /// The liveness phase after the heal: no progress within its bound.
    Liveness,
    /// The lab's 120 s limit (or the run's hard limit).
    TimeLimit,
    /// Nothing is scheduled but the test still waits.
    Deadlock,
    /// Events without end, or without virtual time advancing.
    Livelock,
    /// The node broke the seam's protocol (a reply to no call, a second reply, ...).
    Driver,
    /// The Raft's Make refused its persisted state.
    Restore,
    /// The Raft under test panicked.
    NodePanic,
    /// Two runs of one seed differed.
    Determinism,
    /// A command a client saw committed is not applied everywhere, at its
    /// index, in the same order (nemesis scenarios, after the heal).
    Acknowledged,
}

impl Check {
    /// The checks that are not a lab check or an invariant.
    const OTHERS: &'static [Check] = &[
        Check::Liveness,
        Check::TimeLimit,
        Check::Deadlock,
        Check::Livelock,
        Check::Driver,
        Check::Restore,
        Check::NodePanic,
        Check::Determinism,
    ];

    /// The check a name (as [`Check::name`] gives it) names: for reading failures back from JSON.
    pub fn from_name(name: &str) -> Option<Check> {
        let labs = LabCheck::ALL.iter().map(|&check| Check::Lab(check));
        let invariants = Invariant::ALL.iter().map(|&invariant| Check::Invariant(invariant));
        labs.chain(invariants).chain(Check::OTHERS.iter().copied()).find(|check| check.name() == name)
    }

    /// The check's name, as failure lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Check::Lab(check) => check.name(),
            Check::Invariant(invariant) => invariant.name(),
            Check::Liveness => "liveness",
            Check::TimeLimit => "timeout",
            Check::Deadlock => "deadlock",
            Check::Livelock => "livelock",
            Check::Driver => "driver",
            Check::Restore => "restore",
            Check::NodePanic => "panic",
            Check::Determinism => "determinism",
            Check::Acknowledged => "acknowledged commands applied everywhere",
        }
    }

    /// The family: `lab check`, `invariant`, `liveness`, `time limit`, `driver`, `determinism`.
    pub fn kind(self) -> &'static str {
        match self {
            Check::Lab(_) => "lab check",
            Check::Invariant(_) => "invariant",
            Check::Liveness => "liveness",
            Check::TimeLimit | Check::Deadlock | Check::Livelock => "time limit",
            Check::Driver | Check::Restore | Check::NodePanic => "driver",
            Check::Determinism => "determinism",
            Check::Acknowledged => "durability",
        }
    }
}

impl From<LabCheck> for Check {
    fn from(check: LabCheck) -> Check {
        Check::Lab(check)
    }
}

impl From<Invariant> for Check {
    fn from(invariant: Invariant) -> Check {
        Check::Invariant(invariant)
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub check: Check,
    /// When, in virtual time (set by the driver if the check did not).
    pub at: Option<Time>,
    /// The log index it concerns, if one.
    pub index: Option<u64>,
    /// The term it concerns, if one.
    pub term: Option<u64>,
    /// The servers it concerns, ascending.
    pub nodes: Vec<u32>,
    /// The lab's message, with the values filled in.
    pub reason: String,
}

impl Failure {
    pub fn new(check: impl Into<Check>, reason: impl Into<String>) -> Failure {
        Failure { check: check.into(), at: None, index: None, term: None, nodes: Vec::new(), reason: reason.into() }
    }

    #[must_use]
    pub fn at(mut self, at: Time) -> Failure {
        self.at = Some(at);
        self
    }

    #[must_use]
    pub fn index(mut self, index: u64) -> Failure {
        self.index = Some(index);
        self
    }

    #[must_use]
    pub fn term(mut self, term: u64) -> Failure {
        self.term = Some(term);
        self
    }

    /// Adds a server it concerns (kept ascending, once each).
    #[must_use]
    pub fn node(mut self, node: usize) -> Failure {
        let node = node as u32;
        if let Err(at) = self.nodes.binary_search(&node) {
            self.nodes.insert(at, node);
        }
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.reason)
    }
}

impl std::error::Error for Failure {}

/// Returns early with a [`Failure`] of the given check and formatted reason.
#[macro_export]
macro_rules! fail {
    ($check:expr, $($arg:tt)*) => {
        return Err($crate::Failure::new($check, format!($($arg)*)))
    };
}
