//! Log replication (§5.3) and the commit rule (§5.4.2): AppendEntries with the
//! consistency check, truncation only on a real conflict, the lab's fast
//! backup hint, per-follower progress, and committing only current-term
//! entries by counting replicas.

use crate::bugs::planted;
use crate::message::{AppendEntries, AppendEntriesReply, Conflict, InstallSnapshot};
use crate::node::Role;
use crate::{Instant, LogIndex, Message, Node, NodeId};

/// Whether [`Node::send_append`] may send a bare heartbeat when it has no payload to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Heartbeat {
    /// Send one: a heartbeat is due, or a probe must go out.
    IfNothingElse,
    /// Send only entries or a snapshot (after a reply: no ping-pong).
    Never,
}

impl Node {
    /// Sends every follower what it lacks (or a heartbeat), and re-arms the heartbeat.
    pub(crate) fn broadcast_append(&mut self, now: Instant) {
        for peer in self.peers() {
            self.send_append(now, peer, Heartbeat::IfNothingElse);
        }
        self.timers.heartbeat = Some(now.plus_us(self.config.heartbeat_interval_us));
        self.timers.replicate = None;
    }

    /// Sends new entries to every follower with no payload in flight; no heartbeats.
    pub(crate) fn replicate_new(&mut self, now: Instant) {
        for peer in self.peers() {
            self.send_append(now, peer, Heartbeat::Never);
        }
    }

    /// One AppendEntries from `progress.next` on, or the snapshot if `next` was
    /// compacted away. While a payload to this peer is in flight (and younger
    /// than `resend_after_us`) only a heartbeat goes, so a slow follower is not
    /// sent its whole backlog on every Start. Unanswered entries go again only
    /// to a follower heard from since they went: a silent one (cut off,
    /// crashed) is probed with heartbeats, and its first answer brings them
    /// (etcd's probe state), so a partition costs no backlog per beat. A
    /// snapshot has no heartbeat to probe with (its prefix is compacted away):
    /// an unanswered one goes again once `resend_after_us` has passed.
    pub(crate) fn send_append(&mut self, now: Instant, peer: NodeId, heartbeat: Heartbeat) {
        let resend_after_us = self.config.resend_after_us;
        let (snapshot_index, last_index) = (self.log.snapshot_index(), self.log.last_index());
        let Role::Leader { progress } = &mut self.role else { return };
        let progress = &mut progress[peer.0 as usize];
        let next = progress.next;
        let unanswered = progress.in_flight.filter(|&(last, _)| last >= next).map(|(_, at)| at);
        let young = unanswered.is_some_and(|at| now < at.plus_us(resend_after_us));
        if next <= snapshot_index {
            if young {
                return;
            }
            progress.in_flight = Some((snapshot_index, now));
            let message = InstallSnapshot {
                term: self.term,
                leader: self.config.id,
                last_included_index: snapshot_index,
                last_included_term: self.log.snapshot_term(),
                data: self.snapshot.to_vec(),
            };
            self.send(peer, Message::InstallSnapshot(message));
            return;
        }
        let silent = unanswered.is_some_and(|at| progress.heard.is_none_or(|heard| heard < at));
        let busy = young || silent;
        if (busy || next > last_index) && heartbeat == Heartbeat::Never {
            return;
        }
        let entries = if busy || next > last_index {
            Vec::new()
        } else {
            let entries = self.log.slice_from(next, self.config.max_entries_per_append).to_vec();
            progress.in_flight = Some((LogIndex(next.0 + entries.len() as u64 - 1), now));
            entries
        };
        let prev_log_index = next.prev();
        let append = AppendEntries {
            term: self.term,
            leader: self.config.id,
            prev_log_index,
            prev_log_term: self.log.term_at(prev_log_index).expect("prev index is at or after the snapshot"),
            entries,
            leader_commit: self.commit_index,
        };
        let mut bytes = self.pool.buffer();
        append.encode_with_cached_entries(self.log.encoded_from(next, append.entries.len()), &mut bytes);
        self.send_encoded(peer, Message::AppendEntries(append), bytes);
    }

    /// AppendEntries (Figure 2 "AppendEntries RPC", receiver implementation).
    pub(crate) fn handle_append_entries(&mut self, now: Instant, from: NodeId, request: AppendEntries) {
        if request.term < self.term {
            let reply = self.append_reply(request.prev_log_index, false, LogIndex::ZERO, None);
            return self.reply(from, reply);
        }
        // Same term: the sender is this term's leader (§5.2).
        self.follow(now, request.leader);
        let AppendEntries { mut prev_log_index, mut prev_log_term, mut entries, leader_commit, .. } = request;
        let request_prev = prev_log_index;
        // Entries up to the snapshot are committed, so they match: skip them.
        let snapshot_index = self.log.snapshot_index();
        if prev_log_index < snapshot_index {
            let covered = (snapshot_index.0 - prev_log_index.0) as usize;
            if covered >= entries.len() {
                let matched = LogIndex(prev_log_index.0 + entries.len() as u64);
                let reply = self.append_reply(request_prev, true, matched, None);
                return self.reply(from, reply);
            }
            entries.drain(..covered);
            prev_log_index = snapshot_index;
            prev_log_term = self.log.snapshot_term();
        }
        if let Some(conflict) = self.check_consistency(prev_log_index, prev_log_term) {
            tracing::debug!(node = self.config.id.0, term = self.term.0, role = "follower", prev = prev_log_index.0,
                xterm = ?conflict.term.map(|t| t.0), xindex = conflict.first_index.0, xlen = conflict.log_len,
                "append rejected");
            let reply = self.append_reply(request_prev, false, LogIndex::ZERO, Some(conflict));
            return self.reply(from, reply);
        }
        let last_new = LogIndex(prev_log_index.0 + entries.len() as u64);
        if self.merge_entries(prev_log_index, entries) && !planted!(self, LogNotPersisted) {
            self.dirty = true;
        }
        // Commit no further than what this request verified (Figure 2, rule 5).
        let bound = if planted!(self, CommitBeyondVerified) { self.log.last_index() } else { last_new };
        let commit = leader_commit.min(bound);
        if commit > self.commit_index {
            self.commit_index = commit;
            self.apply_committed();
        }
        let reply = self.append_reply(request_prev, true, last_new, None);
        self.reply(from, reply);
    }

    /// Recognises `leader` as this term's leader and resets the election timer.
    pub(crate) fn follow(&mut self, now: Instant, leader: NodeId) {
        if !matches!(self.role, Role::Follower { .. }) {
            self.become_follower(now, self.term, Some(leader));
        }
        self.role = Role::Follower { leader: Some(leader) };
        if !planted!(self, HeartbeatNoTimerReset) {
            self.reset_election_timer(now);
        }
    }

    /// The consistency check on (prevLogIndex, prevLogTerm), with the fast-backup hint.
    fn check_consistency(&self, prev_log_index: LogIndex, prev_log_term: crate::Term) -> Option<Conflict> {
        let log_len = self.log.last_index().0 + 1;
        match self.log.term_at(prev_log_index) {
            None => Some(Conflict { term: None, first_index: LogIndex::ZERO, log_len }),
            Some(term) if term != prev_log_term => Some(Conflict {
                term: Some(term),
                first_index: self.log.first_index_of_term(prev_log_index, term),
                log_len,
            }),
            Some(_) => None,
        }
    }

    /// Appends `entries` after `prev`, truncating only at a real conflict:
    /// a stale or duplicate request never removes entries that match. True if the log changed.
    fn merge_entries(&mut self, prev: LogIndex, entries: Vec<crate::Entry>) -> bool {
        if planted!(self, TruncateOnStale) {
            self.log.truncate_from(prev.next());
            let changed = !entries.is_empty();
            for entry in entries {
                self.log.append(entry);
            }
            return changed;
        }
        let mut changed = false;
        let mut index = prev;
        for entry in entries {
            index = index.next();
            match self.log.term_at(index) {
                Some(term) if term == entry.term => continue,
                Some(_) => self.log.truncate_from(index),
                None => {}
            }
            self.log.append(entry);
            changed = true;
        }
        changed
    }

    fn append_reply(
        &self,
        prev_log_index: LogIndex,
        success: bool,
        match_index: LogIndex,
        conflict: Option<Conflict>,
    ) -> Message {
        Message::AppendEntriesReply(AppendEntriesReply {
            term: self.term,
            success,
            prev_log_index,
            match_index,
            conflict,
        })
    }

    /// A follower answered: update its progress, maybe commit, send what is still missing.
    pub(crate) fn handle_append_entries_reply(&mut self, now: Instant, from: NodeId, reply: AppendEntriesReply) {
        if reply.term != self.term && !planted!(self, IgnoreReplyTerm) {
            return;
        }
        if reply.success {
            // Figure 2: matchIndex is what this request carried, never more.
            let matched = if planted!(self, MatchIndexFromOwnLog) { self.log.last_index() } else { reply.match_index };
            return self.follower_matches(now, from, matched);
        }
        let hinted_next = reply.conflict.as_ref().map(|conflict| self.backup_target(conflict));
        let Role::Leader { progress } = &mut self.role else {
            return;
        };
        let peer = &mut progress[from.0 as usize];
        peer.heard = Some(now);
        if let Some(target) = hinted_next {
            // Only the answer to the current probe may move nextIndex back.
            if reply.prev_log_index.next() != peer.next {
                return;
            }
            let floor = peer.matched.next().max(LogIndex(1));
            let next = if target < peer.next { target.max(floor) } else { peer.next.prev().max(floor) };
            let moved = next != peer.next;
            peer.next = next;
            peer.in_flight = None;
            // Probe again at once only if nextIndex moved: a follower that lost
            // entries it had acknowledged must not ping-pong in one instant.
            if moved {
                self.send_append(now, from, Heartbeat::IfNothingElse);
            }
        }
    }

    /// Follower `from` now holds the leader's log up to `matched` (an
    /// AppendEntries or an InstallSnapshot succeeded): move its progress,
    /// commit what a majority holds, and send what it still lacks.
    pub(crate) fn follower_matches(&mut self, now: Instant, from: NodeId, matched: LogIndex) {
        let last_index = self.log.last_index();
        let Role::Leader { progress } = &mut self.role else {
            return;
        };
        let peer = &mut progress[from.0 as usize];
        peer.heard = Some(now);
        peer.matched = peer.matched.max(matched);
        peer.next = peer.next.max(peer.matched.next());
        if peer.in_flight.is_some_and(|(last, _)| peer.matched >= last) {
            peer.in_flight = None;
        }
        let more = peer.next <= last_index;
        self.advance_commit();
        if more {
            self.send_append(now, from, Heartbeat::Never);
        }
    }

    /// Where the fast-backup hint says the next probe should start (LAB-SPEC §5).
    fn backup_target(&self, conflict: &Conflict) -> LogIndex {
        match conflict.term {
            None => LogIndex(conflict.log_len),
            Some(term) => match self.log.last_index_of_term(term) {
                Some(last) => last.next(),
                None => conflict.first_index,
            },
        }
    }

    /// Commits the highest index a majority holds, if it is of the current term (§5.4.2).
    pub(crate) fn advance_commit(&mut self) {
        let Role::Leader { progress } = &self.role else { return };
        let mut matched = [LogIndex::ZERO; 64];
        let peers = progress.len();
        for (slot, peer) in matched.iter_mut().zip(progress) {
            *slot = peer.matched;
        }
        matched[self.config.id.0 as usize] = self.log.last_index();
        matched[..peers].sort_unstable_by(|a, b| b.cmp(a));
        let candidate = matched[self.config.quorum() - 1];
        if candidate <= self.commit_index {
            return;
        }
        let current_term = self.log.term_at(candidate) == Some(self.term);
        if !current_term && !planted!(self, CommitPreviousTerm) {
            return;
        }
        tracing::debug!(
            node = self.config.id.0,
            term = self.term.0,
            role = "leader",
            commit = candidate.0,
            "commit advanced"
        );
        self.commit_index = candidate;
        self.apply_committed();
        // No round of its own: followers learn the commit from the next
        // AppendEntries or heartbeat (leaderCommit), as lab implementations
        // do, which halves a busy leader's RPCs (ReliableChurn2C).
    }
}
