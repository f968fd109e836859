//! The node: Figure 2's state, the calling contract, term handling (§5.1) and
//! the ordered output queue that makes "persist before you speak" a property
//! of the API (§5 "Persistent state ... updated on stable storage before
//! responding to RPCs").

use std::collections::VecDeque;
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use crate::bugs::planted;
use crate::persist::{self, Header, RestoreError};
use crate::pool::Pool;
use crate::Instant;
use crate::{Config, Entry, Log, LogIndex, Message, NodeId, Term};
use crate::{NotLeader, Persist, Started};
use api::{CallId, Output, WireMessage};

/// The role a node plays, with the data only that role has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Follower { leader: Option<NodeId> },
    Candidate { votes: u64 },
    Leader { progress: Vec<Progress> },
}

/// A leader's knowledge of one follower's log (Figure 2: nextIndex, matchIndex).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Progress {
    pub next: LogIndex,
    pub matched: LogIndex,
    /// Entries (or a snapshot) sent and not yet answered: the last index sent,
    /// and when. Flow control: one payload in flight per follower, sent again
    /// only after a heartbeat interval without an answer.
    pub in_flight: Option<(LogIndex, Instant)>,
    /// When this follower last answered anything in this term.
    pub heard: Option<Instant>,
}

/// The node's deadlines, one small table: the driver sees only the earliest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Timers {
    pub election: Option<Instant>,
    pub heartbeat: Option<Instant>,
    /// Set by the first Start after a send, `batch_window_us` ahead: the
    /// Starts until then share one AppendEntries per follower (group commit).
    /// A heartbeat in between carries them and clears it.
    pub replicate: Option<Instant>,
}

impl Timers {
    fn earliest(&self) -> Option<Instant> {
        let earlier = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, None) => a,
            (None, b) => b,
        };
        earlier(earlier(self.election, self.heartbeat), self.replicate)
    }
}

/// The kind of role, for queries and traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    Follower,
    Candidate,
    Leader,
}

impl RoleKind {
    pub fn name(self) -> &'static str {
        match self {
            RoleKind::Follower => "follower",
            RoleKind::Candidate => "candidate",
            RoleKind::Leader => "leader",
        }
    }
}

/// A read-only view of a node's state, for checks and traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub id: NodeId,
    pub term: Term,
    pub role: RoleKind,
    pub voted_for: Option<NodeId>,
    pub commit_index: LogIndex,
    pub last_applied: LogIndex,
    pub last_log_index: LogIndex,
    pub last_log_term: Term,
    pub snapshot_index: LogIndex,
}

/// One Raft peer, as a pure state machine.
#[derive(Debug)]
pub struct Node {
    pub(crate) config: Config,
    pub(crate) rng: ChaCha8Rng,
    // Persistent state (Figure 2).
    pub(crate) term: Term,
    pub(crate) voted_for: Option<NodeId>,
    pub(crate) log: Log,
    pub(crate) snapshot: Arc<[u8]>,
    // Volatile state.
    pub(crate) commit_index: LogIndex,
    pub(crate) last_applied: LogIndex,
    pub(crate) role: Role,
    pub(crate) timers: Timers,
    pub(crate) dirty: bool,
    pub(crate) outputs: VecDeque<Output>,
    // The seam (see `adapter`): calls numbered, the request being answered, recycled buffers.
    pub(crate) next_call: u64,
    pub(crate) answering: Option<(NodeId, CallId)>,
    pub(crate) pool: Pool,
    /// Tests only: what a persister holding this node's saves holds (see `tests::helpers::drain`).
    #[cfg(test)]
    pub(crate) saved: Vec<u8>,
}

impl Node {
    /// A fresh node, with nothing persisted.
    pub fn new(config: Config, now: Instant) -> Node {
        let rng = ChaCha8Rng::seed_from_u64(config.rng_seed);
        let mut node = Node {
            config,
            rng,
            term: Term::ZERO,
            voted_for: None,
            log: Log::default(),
            snapshot: Arc::from(&[][..]),
            commit_index: LogIndex::ZERO,
            last_applied: LogIndex::ZERO,
            role: Role::Follower { leader: None },
            timers: Timers::default(),
            dirty: false,
            outputs: VecDeque::with_capacity(8),
            next_call: 0,
            answering: None,
            pool: Pool::default(),
            #[cfg(test)]
            saved: Vec::new(),
        };
        node.reset_election_timer(now);
        node
    }

    /// The lab's Make: a node restarted from what it persisted. Empty
    /// `raft_state` means nothing was persisted. The service has already
    /// loaded `snapshot`, so applying resumes after its last index.
    pub fn restore(config: Config, now: Instant, raft_state: &[u8], snapshot: Arc<[u8]>) -> Result<Node, RestoreError> {
        let mut node = Node::new(config, now);
        if raft_state.is_empty() {
            return Ok(node);
        }
        let state = persist::decode(raft_state)?;
        node.term = state.term;
        node.voted_for = state.voted_for;
        node.log = Log::from_parts(state.snapshot_index, state.snapshot_term, state.entries);
        // What the persister holds is what was just read: the next save keeps it.
        node.log.mark_saved();
        #[cfg(test)]
        node.saved.extend_from_slice(raft_state);
        node.commit_index = state.snapshot_index;
        node.last_applied = state.snapshot_index;
        node.snapshot = if planted!(node, SnapshotDroppedAtStartup) { Arc::from(&[][..]) } else { snapshot };
        Ok(node)
    }

    // ---- inputs -------------------------------------------------------------

    /// A message from a peer. Requests produce exactly one [`Output::Reply`].
    pub fn handle_message(&mut self, now: Instant, from: NodeId, message: Message) {
        if message.term() > self.term && (message.is_request() || !planted!(self, NoStepDownOnReply)) {
            self.become_follower(now, message.term(), None);
        }
        match message {
            Message::RequestVote(request) => self.handle_request_vote(now, from, request),
            Message::RequestVoteReply(reply) => self.handle_request_vote_reply(now, from, reply),
            Message::AppendEntries(request) => self.handle_append_entries(now, from, request),
            Message::AppendEntriesReply(reply) => self.handle_append_entries_reply(now, from, reply),
            Message::InstallSnapshot(request) => self.handle_install_snapshot(now, from, request),
            Message::InstallSnapshotReply(reply) => self.handle_install_snapshot_reply(now, from, reply),
        }
        self.flush_persist();
    }

    /// Time has reached (or passed) [`Node::poll_timeout`].
    pub fn handle_timeout(&mut self, now: Instant) {
        let due = |deadline: Option<Instant>| deadline.is_some_and(|at| at <= now);
        if due(self.timers.election) {
            self.start_election(now);
        }
        if due(self.timers.heartbeat) {
            if self.is_leader() {
                self.broadcast_append(now);
            }
        } else if due(self.timers.replicate) {
            self.timers.replicate = None;
            if self.is_leader() {
                self.replicate_new(now);
            }
        }
        self.flush_persist();
    }

    /// The lab's Start: a leader appends `command` and replicates it within
    /// `batch_window_us` (with the Starts that join it) or at the next heartbeat.
    ///
    /// The new entry is persisted before it is sent or counted (with the next
    /// send or apply), not at once: Starts in one instant share one save.
    pub fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        if !self.is_leader() {
            return Err(NotLeader { term: self.term });
        }
        let index = self.log.append(Entry { term: self.term, command: command.into() });
        self.dirty = true;
        if self.timers.replicate.is_none() {
            self.timers.replicate = Some(now.plus_us(self.config.batch_window_us));
        }
        tracing::debug!(
            node = self.config.id.0,
            term = self.term.0,
            role = "leader",
            index = index.0,
            "start: appended"
        );
        // A lone server commits at once (apply_committed persists first).
        if self.config.peers == 1 {
            self.advance_commit();
        }
        Ok(Started { index, term: self.term })
    }

    // ---- outputs and queries ------------------------------------------------

    /// The next output, in the order it must be carried out.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The next instant at which [`Node::handle_timeout`] has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.earliest()
    }

    pub fn id(&self) -> NodeId {
        self.config.id
    }

    pub fn term(&self) -> Term {
        self.term
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    pub fn log(&self) -> &Log {
        &self.log
    }

    pub fn role(&self) -> RoleKind {
        match self.role {
            Role::Follower { .. } => RoleKind::Follower,
            Role::Candidate { .. } => RoleKind::Candidate,
            Role::Leader { .. } => RoleKind::Leader,
        }
    }

    pub fn state(&self) -> State {
        State {
            id: self.config.id,
            term: self.term,
            role: self.role(),
            voted_for: self.voted_for,
            commit_index: self.commit_index,
            last_applied: self.last_applied,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
            snapshot_index: self.log.snapshot_index(),
        }
    }

    // ---- shared machinery ---------------------------------------------------

    /// Steps down to follower in `term` (§5.1: a higher term always wins).
    pub(crate) fn become_follower(&mut self, now: Instant, term: Term, leader: Option<NodeId>) {
        if term > self.term {
            self.term = term;
            self.voted_for = None;
            self.dirty = true;
        }
        let was_follower = matches!(self.role, Role::Follower { .. });
        self.role = Role::Follower { leader };
        self.timers.heartbeat = None;
        self.timers.replicate = None;
        if !was_follower {
            tracing::debug!(node = self.config.id.0, term = self.term.0, role = "follower", "stepped down");
            self.reset_election_timer(now);
        }
    }

    /// Redraws the election timeout (once per reset, never per tick).
    pub(crate) fn reset_election_timer(&mut self, now: Instant) {
        let (min, max) = (self.config.election_timeout_min_us, self.config.election_timeout_max_us);
        let span_us = if planted!(self, FixedElectionTimeout) { min } else { min + below(&mut self.rng, max - min) };
        self.timers.election = Some(now.plus_us(span_us));
    }

    /// Emits a Persist output if persistent state changed since the last one.
    pub(crate) fn flush_persist(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let header = Header {
            term: self.term,
            voted_for: if planted!(self, VoteNotPersisted) { None } else { self.voted_for },
            snapshot_index: self.log.snapshot_index(),
            snapshot_term: self.log.snapshot_term(),
        };
        let keep_bytes = self.log.saved_bytes();
        let raft_state = persist::encode_tail(&header, &self.log, keep_bytes);
        self.log.mark_saved();
        self.outputs.push_back(Output::Persist(Persist {
            keep_bytes,
            raft_state,
            snapshot: Arc::clone(&self.snapshot),
        }));
    }

    /// Sends a new request (a call), after persisting whatever it depends on.
    pub(crate) fn send(&mut self, to: NodeId, message: Message) {
        let mut bytes = self.pool.buffer();
        message.encode_into(&mut bytes);
        self.send_encoded(to, message, bytes);
    }

    /// [`Node::send`] for a message already encoded into `bytes`.
    pub(crate) fn send_encoded(&mut self, to: NodeId, message: Message, bytes: Vec<u8>) {
        self.persist_before_speaking();
        self.next_call += 1;
        let message = self.wire(message, bytes);
        self.outputs.push_back(Output::Call { to, call: CallId(self.next_call), message });
    }

    /// Answers the request being handled, after persisting whatever it depends on.
    /// (Handled through the typed entry point, as the unit tests do, it answers call #0.)
    pub(crate) fn reply(&mut self, to: NodeId, message: Message) {
        self.persist_before_speaking();
        let call = match self.answering {
            Some((from, call)) => {
                assert_eq!(from, to, "a reply goes to the caller");
                call
            }
            None => CallId(0),
        };
        let mut bytes = self.pool.buffer();
        message.encode_into(&mut bytes);
        let message = self.wire(message, bytes);
        self.outputs.push_back(Output::Reply { to, call, message });
    }

    /// The wire form: the message's postcard bytes (in a recycled buffer),
    /// the header, and the message itself as the in-process shortcut
    /// (receivers of this core skip decoding).
    fn wire(&mut self, message: Message, bytes: Vec<u8>) -> WireMessage {
        let header = api::Header { term: Some(message.term()), name: message.name() };
        WireMessage::new(header, bytes).with_local(self.pool.boxed(message))
    }

    /// Figure 2: persistent state is "updated on stable storage before
    /// responding to RPCs" (and before any request that relies on it).
    fn persist_before_speaking(&mut self) {
        // The planted bug persists only at the end of the step, after speaking.
        if !planted!(self, SendBeforePersist) {
            self.flush_persist();
        }
    }

    /// The other peers, in id order.
    /// The other servers, in id order. The iterator holds no borrow of the
    /// node, so a loop over it may send (no list is collected per broadcast).
    pub(crate) fn peers(&self) -> impl Iterator<Item = NodeId> + use<> {
        let me = self.config.id;
        (0..self.config.peers).map(NodeId).filter(move |&peer| peer != me)
    }

    /// Applies committed entries, in order, once each (§5.3, Figure 2 "Rules for Servers").
    pub(crate) fn apply_committed(&mut self) {
        // What the service sees must already be durable here: persist first.
        self.flush_persist();
        while self.last_applied < self.commit_index {
            let index = self.last_applied.next();
            let entry = self.log.entry(index).expect("committed entries above the snapshot are in the log");
            self.outputs.push_back(Output::Apply(crate::Apply::Command {
                index,
                term: entry.term,
                command: entry.command.clone(),
            }));
            self.last_applied = index;
        }
    }
}

/// A uniform draw in 0..bound from raw `next_u64` (bias-free; never rand's helpers).
fn below(rng: &mut ChaCha8Rng, bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    let zone = u64::MAX - (u64::MAX - bound + 1) % bound;
    loop {
        let draw = rng.next_u64();
        if draw <= zone {
            return draw % bound;
        }
    }
}
