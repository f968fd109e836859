//! Log compaction (§7): the service's Snapshot, and InstallSnapshot sent whole
//! (the lab's simplification of Figure 13: no offsets, no chunks).

use std::sync::Arc;

use crate::bugs::planted;
use crate::message::{InstallSnapshot, InstallSnapshotReply};
use crate::{Apply, Instant, LogIndex, Message, Node, NodeId};

impl Node {
    /// The service has a snapshot of everything up to and including `index`:
    /// trim the log and persist state and snapshot together.
    pub fn snapshot(&mut self, _now: Instant, index: LogIndex, data: Vec<u8>) {
        if index <= self.log.snapshot_index() {
            return;
        }
        assert!(index <= self.last_applied, "snapshot at {index} beyond what was applied ({})", self.last_applied);
        self.log.compact_to(index);
        self.snapshot = Arc::from(data);
        self.dirty = true;
        self.flush_persist();
    }

    /// InstallSnapshot: move forward to the leader's snapshot, keep a matching suffix.
    pub(crate) fn handle_install_snapshot(&mut self, now: Instant, from: NodeId, request: InstallSnapshot) {
        if request.term >= self.term {
            self.follow(now, request.leader);
        }
        let index = request.last_included_index;
        // Figure 13 / §7: a snapshot no newer than what is committed is old news.
        let old_news = index <= self.commit_index && !planted!(self, InstallStaleSnapshot);
        if request.term < self.term || old_news {
            // Stale, or already covered by what this node has committed.
            let reply = InstallSnapshotReply { term: self.term, last_included_index: index };
            return self.reply(from, Message::InstallSnapshotReply(reply));
        }
        let reapply: Vec<Apply> = if planted!(self, ReapplyAfterSnapshot) {
            (self.last_applied.0 + 1..=index.0)
                .filter_map(|i| self.log.entry(LogIndex(i)).map(|entry| (LogIndex(i), entry)))
                .map(|(i, entry)| Apply::Command { index: i, term: entry.term, command: entry.command.clone() })
                .collect()
        } else {
            Vec::new()
        };
        self.log.install_snapshot(index, request.last_included_term);
        self.snapshot = Arc::from(request.data);
        self.commit_index = index;
        self.last_applied = index;
        self.dirty = true;
        self.flush_persist();
        tracing::debug!(
            node = self.config.id.0,
            term = self.term.0,
            role = "follower",
            index = index.0,
            "snapshot installed"
        );
        self.outputs.push_back(api::Output::Apply(Apply::Snapshot {
            index,
            term: request.last_included_term,
            data: Arc::clone(&self.snapshot),
        }));
        self.outputs.extend(reapply.into_iter().map(api::Output::Apply));
        let reply = InstallSnapshotReply { term: self.term, last_included_index: index };
        self.reply(from, Message::InstallSnapshotReply(reply));
    }

    /// The follower holds the snapshot: it matches the leader up to its last index.
    pub(crate) fn handle_install_snapshot_reply(&mut self, now: Instant, from: NodeId, reply: InstallSnapshotReply) {
        if reply.term != self.term {
            return;
        }
        self.follower_matches(now, from, reply.last_included_index);
    }
}
