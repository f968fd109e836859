//! The planted-bug catalogue: classic Raft mistakes (LAB-SPEC §6), each one a
//! switch the harness can turn on by name to prove that it catches it.
//! Compiled only with the `planted-bugs` feature.

/// One planted bug. A node runs with at most one.
#[cfg(feature = "planted-bugs")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bug {
    /// Every node uses the same fixed election timeout: split votes forever.
    FixedElectionTimeout,
    /// A leader commits an entry of an earlier term by counting replicas (Figure 8, §5.4.2).
    CommitPreviousTerm,
    /// A voter skips the up-to-date check on the candidate's log (§5.4.1).
    NoUpToDateCheck,
    /// The vote is not persisted, so a restarted node can vote twice in a term.
    VoteNotPersisted,
    /// Entries accepted from a leader are acknowledged without being persisted.
    LogNotPersisted,
    /// A follower truncates its log on any AppendEntries, even a stale or duplicate one.
    TruncateOnStale,
    /// A follower advances its commit index to leaderCommit beyond the entries it verified.
    CommitBeyondVerified,
    /// An AppendEntries from the leader does not reset the follower's election timer.
    HeartbeatNoTimerReset,
    /// A node does not step down when a reply carries a higher term.
    NoStepDownOnReply,
    /// Replies from earlier terms are acted on (no stale-term check): old votes
    /// are counted, old AppendEntries answers move a leader's progress.
    IgnoreReplyTerm,
    /// The snapshot read at start-up is not kept, so the next save erases it (SnapshotInit).
    SnapshotDroppedAtStartup,
    /// After installing a snapshot, entries it covers are applied again.
    ReapplyAfterSnapshot,
    /// Messages go out before the state they depend on is persisted (Figure 2:
    /// "updated on stable storage before responding to RPCs"): a crash between
    /// the two loses a vote or entries the peers were told about.
    SendBeforePersist,
    /// A candidate tallies granted replies instead of voters (§5.2: a majority
    /// of the servers), so a duplicated vote reply counts twice.
    DuplicateVoteCount,
    /// A leader sets matchIndex to its own last index on any success, not to
    /// what the request carried (Figure 2, §5.3): a reply that crosses a Start
    /// claims entries the follower never received.
    MatchIndexFromOwnLog,
    /// A follower installs an InstallSnapshot older than what it has committed
    /// (Figure 13, §7): a late or duplicated snapshot moves it back in time.
    InstallStaleSnapshot,
}

#[cfg(feature = "planted-bugs")]
impl Bug {
    pub const ALL: &'static [Bug] = &[
        Bug::FixedElectionTimeout,
        Bug::CommitPreviousTerm,
        Bug::NoUpToDateCheck,
        Bug::VoteNotPersisted,
        Bug::LogNotPersisted,
        Bug::TruncateOnStale,
        Bug::CommitBeyondVerified,
        Bug::HeartbeatNoTimerReset,
        Bug::NoStepDownOnReply,
        Bug::IgnoreReplyTerm,
        Bug::SnapshotDroppedAtStartup,
        Bug::ReapplyAfterSnapshot,
        Bug::SendBeforePersist,
        Bug::DuplicateVoteCount,
        Bug::MatchIndexFromOwnLog,
        Bug::InstallStaleSnapshot,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Bug::FixedElectionTimeout => "fixed-election-timeout",
            Bug::CommitPreviousTerm => "commit-previous-term",
            Bug::NoUpToDateCheck => "no-up-to-date-check",
            Bug::VoteNotPersisted => "vote-not-persisted",
            Bug::LogNotPersisted => "log-not-persisted",
            Bug::TruncateOnStale => "truncate-on-stale",
            Bug::CommitBeyondVerified => "commit-beyond-verified",
            Bug::HeartbeatNoTimerReset => "heartbeat-no-timer-reset",
            Bug::NoStepDownOnReply => "no-step-down-on-reply",
            Bug::IgnoreReplyTerm => "ignore-reply-term",
            Bug::SnapshotDroppedAtStartup => "snapshot-dropped-at-startup",
            Bug::ReapplyAfterSnapshot => "reapply-after-snapshot",
            Bug::SendBeforePersist => "send-before-persist",
            Bug::DuplicateVoteCount => "duplicate-vote-count",
            Bug::MatchIndexFromOwnLog => "match-index-from-own-log",
            Bug::InstallStaleSnapshot => "install-stale-snapshot",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Bug::FixedElectionTimeout => "every node uses the same fixed election timeout",
            Bug::CommitPreviousTerm => "leader commits an earlier-term entry by counting replicas (Figure 8)",
            Bug::NoUpToDateCheck => "voters skip the candidate log up-to-date check (§5.4.1)",
            Bug::VoteNotPersisted => "votedFor is not persisted: a restarted node may vote twice in a term",
            Bug::LogNotPersisted => "entries from the leader are acknowledged before being persisted",
            Bug::TruncateOnStale => "a stale or duplicate AppendEntries truncates the follower's log",
            Bug::CommitBeyondVerified => "follower commit index follows leaderCommit past the verified prefix",
            Bug::HeartbeatNoTimerReset => "AppendEntries from the leader does not reset the election timer",
            Bug::NoStepDownOnReply => "a reply with a higher term does not make the node step down",
            Bug::IgnoreReplyTerm => "replies from earlier terms count: old votes, old AppendEntries answers",
            Bug::SnapshotDroppedAtStartup => "the snapshot read at start-up is dropped, so the next save erases it",
            Bug::ReapplyAfterSnapshot => "entries covered by an installed snapshot are applied again",
            Bug::SendBeforePersist => "messages go out before the state they depend on is persisted",
            Bug::DuplicateVoteCount => "a candidate counts granted replies, not voters: a duplicated vote counts twice",
            Bug::MatchIndexFromOwnLog => "a leader sets matchIndex to its own last index on any AppendEntries success",
            Bug::InstallStaleSnapshot => "a follower installs a snapshot older than what it has committed",
        }
    }

    pub fn from_name(name: &str) -> Option<Bug> {
        Bug::ALL.iter().copied().find(|bug| bug.name() == name)
    }
}

/// True when `$node` runs with the planted bug `$bug`; constant false without the feature.
macro_rules! planted {
    ($node:expr, $bug:ident) => {{
        #[cfg(feature = "planted-bugs")]
        let on = $node.config.bug == Some($crate::Bug::$bug);
        #[cfg(not(feature = "planted-bugs"))]
        let on = false;
        on
    }};
}
pub(crate) use planted;
