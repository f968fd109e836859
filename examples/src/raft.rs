//! The example's Raft: Figure 2's rules for all servers, followers,
//! candidates and leaders, one handler per input.

use std::collections::VecDeque;
use std::sync::Arc;

use api::{
    Apply, CallId, Delivery, EntryKind, Inspect, Instant, LogEntry, LogIndex, MakeArgs, Node, NodeId, NodeState,
    NotLeader, Output, Persist, Role, Started, Term, WireMessage,
};

use crate::message::{Entry, Message, Persistent};

/// Heartbeats ten times a second, the most the lab allows.
const HEARTBEAT_US: u64 = 100_000;
/// Election timeouts are random in [400, 800) ms.
const ELECTION_MIN_US: u64 = 400_000;
const ELECTION_SPREAD_US: u64 = 400_000;

#[derive(Debug)]
enum State {
    Follower,
    Candidate { votes: usize },
    Leader { next_index: Vec<u64>, match_index: Vec<u64>, heartbeat_at: Instant },
}

/// One example Raft peer.
pub struct ExampleRaft {
    me: usize,
    peers: usize,
    /// The node's own randomness (splitmix64), seeded by the driver.
    rng: u64,
    term: u64,
    voted_for: Option<u32>,
    /// log[0] is a placeholder, so that the first entry is at index 1.
    log: Vec<Entry>,
    commit_index: u64,
    last_applied: u64,
    state: State,
    election_at: Instant,
    next_call: u64,
    /// Whether this step changed persistent state.
    dirty: bool,
    /// This step's messages and applies, carried out after the Persist.
    pending: Vec<Output>,
    outputs: VecDeque<Output>,
}

impl ExampleRaft {
    /// The lab's Make: restore what was persisted, start as a follower.
    pub fn make(args: MakeArgs) -> Result<ExampleRaft, String> {
        let saved = if args.raft_state.is_empty() {
            Persistent { term: 0, voted_for: None, log: vec![Entry { term: 0, command: Vec::new() }] }
        } else {
            postcard::from_bytes(&args.raft_state).map_err(|e| format!("corrupt state: {e}"))?
        };
        if saved.log.is_empty() {
            return Err("corrupt state: the log has no placeholder".to_string());
        }
        let mut raft = ExampleRaft {
            me: args.me.0 as usize,
            peers: args.peers as usize,
            rng: args.rng_seed,
            term: saved.term,
            voted_for: saved.voted_for,
            log: saved.log,
            commit_index: 0,
            last_applied: 0,
            state: State::Follower,
            election_at: args.now,
            next_call: 0,
            dirty: false,
            pending: Vec::new(),
            outputs: VecDeque::new(),
        };
        raft.reset_election_timer(args.now);
        Ok(raft)
    }

    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn reset_election_timer(&mut self, now: Instant) {
        let timeout = ELECTION_MIN_US + self.random() % ELECTION_SPREAD_US;
        self.election_at = now.plus_us(timeout);
    }

    fn last_index(&self) -> u64 {
        self.log.len() as u64 - 1
    }

    fn last_term(&self) -> u64 {
        self.log.last().map_or(0, |entry| entry.term)
    }

    fn majority(&self) -> usize {
        self.peers / 2 + 1
    }

    fn others(&self) -> Vec<usize> {
        (0..self.peers).filter(|&peer| peer != self.me).collect()
    }

    fn call(&mut self, to: usize, message: Message) {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.pending.push(Output::Call { to: NodeId(to as u32), call, message: message.encode() });
    }

    /// Ends a step: persist first if anything persistent changed, then the rest in order.
    fn flush(&mut self) {
        if std::mem::take(&mut self.dirty) {
            let saved = Persistent { term: self.term, voted_for: self.voted_for, log: self.log.clone() };
            let raft_state = postcard::to_allocvec(&saved).expect("state encodes");
            self.outputs.push_back(Output::Persist(Persist::whole(raft_state, Arc::from(Vec::new()))));
        }
        self.outputs.extend(self.pending.drain(..));
    }

    /// Figure 2, all servers: a higher term makes us a follower in that term.
    fn observe_term(&mut self, now: Instant, term: u64) {
        if term > self.term {
            if matches!(self.state, State::Leader { .. }) {
                // A leader's election timer was not running: start it afresh
                // (raftsim fails a node whose deadline is in the past).
                self.reset_election_timer(now);
            }
            self.term = term;
            self.voted_for = None;
            self.state = State::Follower;
            self.dirty = true;
        }
    }

    fn start_election(&mut self, now: Instant) {
        self.term += 1;
        self.voted_for = Some(self.me as u32);
        self.dirty = true;
        self.state = State::Candidate { votes: 1 };
        self.reset_election_timer(now);
        let request = Message::RequestVote {
            term: self.term,
            last_log_index: self.last_index(),
            last_log_term: self.last_term(),
        };
        for peer in self.others() {
            self.call(peer, request.clone());
        }
        self.become_leader_if_elected(now);
    }

    fn become_leader_if_elected(&mut self, now: Instant) {
        let State::Candidate { votes } = self.state else { return };
        if votes >= self.majority() {
            let next = self.last_index() + 1;
            self.state = State::Leader {
                next_index: vec![next; self.peers],
                match_index: vec![0; self.peers],
                heartbeat_at: now,
            };
            self.send_heartbeats(now);
        }
    }

    /// AppendEntries to every follower, with whatever entries each one lacks.
    fn send_heartbeats(&mut self, now: Instant) {
        if let State::Leader { heartbeat_at, .. } = &mut self.state {
            *heartbeat_at = now.plus_us(HEARTBEAT_US);
        }
        for peer in self.others() {
            self.send_append(peer);
        }
    }

    fn send_append(&mut self, peer: usize) {
        let State::Leader { next_index, .. } = &self.state else { return };
        let next = next_index[peer].clamp(1, self.last_index() + 1);
        let prev = next - 1;
        let append = Message::AppendEntries {
            term: self.term,
            prev_log_index: prev,
            prev_log_term: self.log[prev as usize].term,
            entries: self.log[next as usize..].to_vec(),
            leader_commit: self.commit_index,
        };
        self.call(peer, append);
    }

    fn handle_request_vote(&mut self, now: Instant, from: usize, last_index: u64, last_term: u64) -> Message {
        let up_to_date =
            last_term > self.last_term() || (last_term == self.last_term() && last_index >= self.last_index());
        let free = self.voted_for.is_none() || self.voted_for == Some(from as u32);
        let granted = up_to_date && free;
        if granted {
            self.voted_for = Some(from as u32);
            self.dirty = true;
            self.reset_election_timer(now);
        }
        Message::VoteReply { term: self.term, granted }
    }

    fn handle_append(
        &mut self,
        now: Instant,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
    ) -> Message {
        self.state = State::Follower;
        self.reset_election_timer(now);
        let reject = |index| Message::AppendReply { term: self.term, success: false, index };
        if prev_index > self.last_index() {
            return reject(self.last_index() + 1);
        }
        if self.log[prev_index as usize].term != prev_term {
            // Fast backup: skip the whole conflicting term.
            let conflict = self.log[prev_index as usize].term;
            let first = (1..=prev_index).find(|&i| self.log[i as usize].term == conflict).unwrap_or(1);
            return reject(first);
        }
        let matched = prev_index + entries.len() as u64;
        for (offset, entry) in entries.into_iter().enumerate() {
            let index = (prev_index + 1 + offset as u64) as usize;
            if index < self.log.len() && self.log[index].term != entry.term {
                self.log.truncate(index);
                self.dirty = true;
            }
            if index >= self.log.len() {
                self.log.push(entry);
                self.dirty = true;
            }
        }
        if commit > self.commit_index {
            self.commit_index = commit.min(matched);
            self.apply_committed();
        }
        Message::AppendReply { term: self.term, success: true, index: matched }
    }

    fn handle_append_reply(&mut self, from: usize, success: bool, index: u64) {
        let State::Leader { next_index, match_index, .. } = &mut self.state else { return };
        if success {
            match_index[from] = match_index[from].max(index);
            next_index[from] = match_index[from] + 1;
            self.advance_commit();
        } else {
            next_index[from] = index.max(1).min(next_index[from]);
            self.send_append(from);
        }
    }

    /// Figure 2, leaders: commit the highest index a majority holds, if it is of this term.
    fn advance_commit(&mut self) {
        let State::Leader { match_index, .. } = &self.state else { return };
        for n in (self.commit_index + 1..=self.last_index()).rev() {
            let holders = 1 + self.others().iter().filter(|&&peer| match_index[peer] >= n).count();
            if holders >= self.majority() && self.log[n as usize].term == self.term {
                self.commit_index = n;
                self.apply_committed();
                break;
            }
        }
    }

    fn apply_committed(&mut self) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let entry = &self.log[self.last_applied as usize];
            let apply = Apply::Command {
                index: LogIndex(self.last_applied),
                term: Term(entry.term),
                command: Arc::from(entry.command.as_slice()),
            };
            self.pending.push(Output::Apply(apply));
        }
    }

    fn handle(&mut self, now: Instant, from: usize, message: Message) -> Option<Message> {
        self.observe_term(now, message.term());
        let current = message.term() == self.term;
        match message {
            Message::RequestVote { last_log_index, last_log_term, .. } => Some(match current {
                true => self.handle_request_vote(now, from, last_log_index, last_log_term),
                false => Message::VoteReply { term: self.term, granted: false },
            }),
            Message::AppendEntries { prev_log_index, prev_log_term, entries, leader_commit, .. } => {
                Some(match current {
                    true => self.handle_append(now, prev_log_index, prev_log_term, entries, leader_commit),
                    false => Message::AppendReply { term: self.term, success: false, index: 0 },
                })
            }
            Message::VoteReply { granted, .. } => {
                if let (true, true, State::Candidate { votes }) = (current, granted, &mut self.state) {
                    *votes += 1;
                    self.become_leader_if_elected(now);
                }
                None
            }
            Message::AppendReply { success, index, .. } => {
                if current {
                    self.handle_append_reply(from, success, index);
                }
                None
            }
        }
    }
}

impl Node for ExampleRaft {
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: WireMessage) {
        let decoded = Message::decode(&message);
        let reply = decoded.and_then(|decoded| self.handle(now, from.0 as usize, decoded));
        if let Delivery::Request(call) = delivery {
            // Every request is answered, even one we could not read.
            let reply = reply.unwrap_or(Message::AppendReply { term: self.term, success: false, index: 0 });
            self.pending.push(Output::Reply { to: from, call, message: reply.encode() });
        }
        self.flush();
    }

    fn handle_call_failed(&mut self, _now: Instant, _to: NodeId, _call: CallId) {
        // Nothing to do: the next heartbeat retries.
    }

    fn handle_timeout(&mut self, now: Instant) {
        match &self.state {
            State::Leader { heartbeat_at, .. } if now >= *heartbeat_at => self.send_heartbeats(now),
            State::Leader { .. } => {}
            _ if now >= self.election_at => self.start_election(now),
            _ => {}
        }
        self.flush();
    }

    fn start(&mut self, _now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        if !matches!(self.state, State::Leader { .. }) {
            return Err(NotLeader { term: Term(self.term) });
        }
        self.log.push(Entry { term: self.term, command });
        self.dirty = true;
        for peer in self.others() {
            self.send_append(peer);
        }
        self.flush();
        Ok(Started { index: LogIndex(self.last_index()), term: Term(self.term) })
    }

    fn snapshot(&mut self, _now: Instant, _index: LogIndex, _data: Vec<u8>) {
        // No snapshots in this example (the lab's 2D): the log is kept whole.
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Leader { heartbeat_at, .. } => Some(*heartbeat_at),
            _ => Some(self.election_at),
        }
    }

    fn get_state(&self) -> (Term, bool) {
        (Term(self.term), matches!(self.state, State::Leader { .. }))
    }

    fn inspect(&self) -> Option<&dyn Inspect> {
        Some(self)
    }
}

impl Inspect for ExampleRaft {
    fn state(&self) -> NodeState {
        NodeState {
            term: Term(self.term),
            role: match self.state {
                State::Follower => Role::Follower,
                State::Candidate { .. } => Role::Candidate,
                State::Leader { .. } => Role::Leader,
            },
            voted_for: self.voted_for.map(NodeId),
            commit_index: LogIndex(self.commit_index),
            last_applied: LogIndex(self.last_applied),
            last_log_index: LogIndex(self.last_index()),
            last_log_term: Term(self.last_term()),
            snapshot_index: LogIndex(0),
        }
    }

    fn term_at(&self, index: LogIndex) -> Option<Term> {
        self.log.get(index.0 as usize).map(|entry| Term(entry.term))
    }

    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let entry = self.log.get(index.0 as usize).filter(|_| index.0 > 0)?;
        Some(LogEntry { term: Term(entry.term), kind: EntryKind::Command(Arc::from(entry.command.as_slice())) })
    }
}
