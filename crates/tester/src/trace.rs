//! Short, readable summaries of messages for trace lines.

use std::fmt;

use raft::Message;

/// A one-line summary of a message: `AppendEntries(t3 prev=4/t2 n=3 commit=4)`.
pub struct Summary<'a>(pub &'a Message);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Message::RequestVote(m) => {
                write!(f, "RequestVote(t{} last={}/t{})", m.term, m.last_log_index, m.last_log_term)
            }
            Message::RequestVoteReply(m) => {
                write!(f, "VoteReply(t{} {})", m.term, if m.vote_granted { "granted" } else { "denied" })
            }
            Message::AppendEntries(m) => write!(
                f,
                "AppendEntries(t{} prev={}/t{} n={} commit={})",
                m.term,
                m.prev_log_index,
                m.prev_log_term,
                m.entries.len(),
                m.leader_commit
            ),
            Message::AppendEntriesReply(m) if m.success => {
                write!(f, "AppendReply(t{} ok match={})", m.term, m.match_index)
            }
            Message::AppendEntriesReply(m) => match &m.conflict {
                Some(c) => write!(
                    f,
                    "AppendReply(t{} reject prev={} xterm={} xindex={} xlen={})",
                    m.term,
                    m.prev_log_index,
                    c.term.map_or("-".to_string(), |t| t.to_string()),
                    c.first_index,
                    c.log_len
                ),
                None => write!(f, "AppendReply(t{} reject: stale term)", m.term),
            },
            Message::InstallSnapshot(m) => write!(
                f,
                "InstallSnapshot(t{} last={}/t{} {}B)",
                m.term,
                m.last_included_index,
                m.last_included_term,
                m.data.len()
            ),
            Message::InstallSnapshotReply(m) => {
                write!(f, "SnapshotReply(t{} last={})", m.term, m.last_included_index)
            }
        }
    }
}
