//! Leader election (§5.2) with the election restriction (§5.4.1): election
//! timeouts, RequestVote and its reply, one vote per term, becoming leader.

use crate::bugs::planted;
use crate::message::{RequestVote, RequestVoteReply};
use crate::node::{Progress, Role};
use crate::{Instant, LogIndex, Message, Node, NodeId};

/// Why a vote was denied (for traces and diagnosis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteDenied {
    StaleTerm,
    AlreadyVoted(NodeId),
    LogNotUpToDate,
}

impl Node {
    /// Election timeout: become a candidate in a new term and ask for votes.
    pub(crate) fn start_election(&mut self, now: Instant) {
        if self.is_leader() {
            self.timers.election = None;
            return;
        }
        self.term = self.term.next();
        self.voted_for = Some(self.config.id);
        self.dirty = true;
        self.role = Role::Candidate { votes: 1 << self.config.id.0 };
        self.reset_election_timer(now);
        tracing::debug!(node = self.config.id.0, term = self.term.0, role = "candidate", "election timeout: standing");
        if self.config.quorum() == 1 {
            self.become_leader(now);
            return;
        }
        let request = RequestVote {
            term: self.term,
            candidate: self.config.id,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
        };
        for peer in self.peers() {
            self.send(peer, Message::RequestVote(request.clone()));
        }
    }

    /// RequestVote (Figure 2 "RequestVote RPC", receiver implementation).
    pub(crate) fn handle_request_vote(&mut self, now: Instant, from: NodeId, request: RequestVote) {
        let verdict = self.judge_vote(&request);
        match verdict {
            Ok(()) => {
                self.voted_for = Some(request.candidate);
                self.dirty = true;
                self.reset_election_timer(now);
                tracing::debug!(
                    node = self.config.id.0,
                    term = self.term.0,
                    role = self.role().name(),
                    candidate = request.candidate.0,
                    "vote granted"
                );
            }
            Err(why) => {
                tracing::debug!(node = self.config.id.0, term = self.term.0, role = self.role().name(),
                    candidate = request.candidate.0, why = ?why, "vote denied");
            }
        }
        let reply = RequestVoteReply { term: self.term, vote_granted: verdict.is_ok() };
        self.reply(from, Message::RequestVoteReply(reply));
    }

    fn judge_vote(&self, request: &RequestVote) -> Result<(), VoteDenied> {
        if request.term < self.term {
            return Err(VoteDenied::StaleTerm);
        }
        if let Some(voted) = self.voted_for.filter(|&voted| voted != request.candidate) {
            return Err(VoteDenied::AlreadyVoted(voted));
        }
        let up_to_date =
            (request.last_log_term, request.last_log_index) >= (self.log.last_term(), self.log.last_index());
        if !up_to_date && !planted!(self, NoUpToDateCheck) {
            return Err(VoteDenied::LogNotUpToDate);
        }
        Ok(())
    }

    /// A vote came back: count it if it is for this candidacy.
    pub(crate) fn handle_request_vote_reply(&mut self, now: Instant, from: NodeId, reply: RequestVoteReply) {
        if (reply.term != self.term && !planted!(self, IgnoreReplyTerm)) || !reply.vote_granted {
            return;
        }
        let Role::Candidate { votes } = &mut self.role else {
            return;
        };
        // §5.2: a majority of the servers, each counted once.
        if planted!(self, DuplicateVoteCount) {
            // A tally of granted replies: the next free mark, whoever sent it.
            *votes |= 1 << (!*votes).trailing_zeros().min(63);
        } else {
            *votes |= 1 << from.0;
        }
        if votes.count_ones() as usize >= self.config.quorum() {
            self.become_leader(now);
        }
    }

    /// Won the election: take the leader's role and assert it at once (§5.2).
    pub(crate) fn become_leader(&mut self, now: Instant) {
        let next = self.log.last_index().next();
        let mut progress =
            vec![Progress { next, matched: LogIndex::ZERO, in_flight: None, heard: None }; self.config.peers as usize];
        progress[self.config.id.0 as usize].matched = self.log.last_index();
        self.role = Role::Leader { progress };
        self.timers.election = None;
        tracing::debug!(node = self.config.id.0, term = self.term.0, role = "leader", "became leader");
        self.broadcast_append(now);
    }
}
