//! One raft-rs `RawNode` as an [`api::Node`]: virtual time becomes ticks,
//! every input is followed by draining raft-rs's Ready (persist, then send,
//! then apply), and the service's Start, Snapshot and ApplyMsg speak the
//! lab's numbering of commands (LAB-SPEC §3–4) through the storage's
//! [`api::Renumbering`].
//!
//! Election timeouts (Raft §5.2): raft-rs draws them from `thread_rng` at
//! every reset of its timer. The adapter overwrites the drawn value after
//! every call into raft-rs with one from the node's own seeded stream,
//! drawn anew whenever raft-rs's (term, role) changed — the moments raft-rs
//! resets its timer — so nothing raft-rs drew ever decides anything.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use api::{Apply, CallId, Delivery, Instant, LogIndex, NodeId, NotLeader, Output, Persist, Started, Term, WireMessage};
use raft_rs::eraftpb::{Entry, Message, MessageType};
use raft_rs::{RawNode, SnapshotStatus, StateRole};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

use crate::storage::{is_internal, LabStorage};
use crate::wire;
use crate::Variant;

/// Virtual time per raft-rs tick.
pub const TICK_US: u64 = 25_000;
/// Heartbeats every 4 ticks (100 ms: the lab allows about ten a second).
pub const HEARTBEAT_TICKS: usize = 4;
/// Election timeouts are drawn from `[ELECTION_TICKS, 2 × ELECTION_TICKS)`: 300–575 ms, as our core's.
pub const ELECTION_TICKS: usize = 12;

/// The request being handled: who asked, under which call, and whether it was answered.
struct Answering {
    from: NodeId,
    call: CallId,
    answered: bool,
}

/// tikv's raft-rs behind the node API.
pub struct RaftRsNode {
    pub(crate) raw: RawNode<LabStorage>,
    variant: Variant,
    rng: ChaCha8Rng,
    timeout_ticks: usize,
    /// raft-rs's (term, role) after the last call: a change means its timer was reset.
    seen: (u64, StateRole),
    next_tick: Instant,
    next_call: u64,
    /// Open calls: the peer and the kind of request.
    calls: BTreeMap<CallId, (NodeId, MessageType)>,
    answering: Option<Answering>,
    outputs: VecDeque<Output>,
}

/// raft-rs numbers peers from 1.
pub(crate) fn raft_id(node: NodeId) -> u64 {
    u64::from(node.0) + 1
}

impl RaftRsNode {
    pub(crate) fn new(raw: RawNode<LabStorage>, variant: Variant, seed: u64, now: Instant) -> RaftRsNode {
        let seen = (raw.raft.term, raw.raft.state);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Each node's ticker has its own phase, as real tickers do: with every
        // node restarted at one instant ticking in step, whole-tick timeouts
        // tie, and split votes repeat (Persist22C failed so, 5 in 100 seeds).
        let phase = 1 + rng.next_u64() % TICK_US;
        let mut node = RaftRsNode {
            raw,
            variant,
            rng,
            timeout_ticks: ELECTION_TICKS,
            seen,
            next_tick: now.plus_us(phase),
            next_call: 0,
            calls: BTreeMap::new(),
            answering: None,
            outputs: VecDeque::new(),
        };
        node.draw_timeout();
        node
    }

    fn draw_timeout(&mut self) {
        self.timeout_ticks = ELECTION_TICKS + (self.rng.next_u64() % ELECTION_TICKS as u64) as usize;
        self.raw.raft.set_randomized_election_timeout(self.timeout_ticks);
    }

    /// After every call into raft-rs: our timeout, redrawn if raft-rs reset its timer.
    fn own_the_timeout(&mut self) {
        let now_seen = (self.raw.raft.term, self.raw.raft.state);
        if now_seen != self.seen {
            self.seen = now_seen;
            self.draw_timeout();
        } else {
            self.raw.raft.set_randomized_election_timeout(self.timeout_ticks);
        }
    }

    fn persist(&mut self) {
        let store = self.raw.store();
        let persist = Persist::whole(store.raft_state(), Arc::clone(store.snapshot_data()));
        self.outputs.push_back(Output::Persist(persist));
    }

    /// Drains every Ready: persist, then messages, then applies.
    fn pump(&mut self) {
        self.own_the_timeout();
        while self.raw.has_ready() {
            let mut ready = self.raw.ready();
            let mut dirty = false;
            let mut installed = None;
            if !ready.snapshot().is_empty() {
                let snapshot = ready.snapshot().clone();
                // A peer's garbage snapshot (no envelope) has nothing to switch to.
                if let Ok(data) = self.raw.mut_store().install(&snapshot) {
                    installed = Some((snapshot.get_metadata().index, snapshot.get_metadata().term, data));
                }
                dirty = true;
            }
            if !ready.entries().is_empty() {
                self.raw.mut_store().append(ready.entries());
                dirty = true;
            }
            if let Some(hard_state) = ready.hs() {
                // The commit index is volatile (Figure 2): a save only for a new term or vote.
                dirty |= self.raw.mut_store().set_hard_state(hard_state.clone());
            }
            if dirty {
                self.persist();
            }
            if let Some((index, term, data)) = installed {
                let lab = self.raw.store().renumbering().to_lab(LogIndex(index));
                self.outputs.push_back(Output::Apply(Apply::Snapshot { index: lab, term: Term(term), data }));
            }
            for message in ready.take_messages().into_iter().chain(ready.take_persisted_messages()) {
                self.route(message);
            }
            self.apply(ready.take_committed_entries());
            let mut light = self.raw.advance(ready);
            if let Some(commit) = light.commit_index() {
                self.raw.mut_store().set_commit(commit);
            }
            for message in light.take_messages() {
                self.route(message);
            }
            self.apply(light.take_committed_entries());
            self.raw.advance_apply();
            self.own_the_timeout();
        }
    }

    fn apply(&mut self, entries: Vec<Entry>) {
        for entry in entries {
            if is_internal(&entry) {
                continue;
            }
            let index = self.raw.store().renumbering().to_lab(LogIndex(entry.index));
            let command: Arc<[u8]> = Arc::from(entry.get_data());
            self.outputs.push_back(Output::Apply(Apply::Command { index, term: Term(entry.term), command }));
        }
    }

    /// One raft-rs message onto the network: a request is a call; the first
    /// response to the request being handled is its reply; anything else is one-way.
    fn route(&mut self, message: Message) {
        let Some(to) = message.to.checked_sub(1).map(|id| NodeId(id as u32)) else { return };
        let kind = message.get_msg_type();
        let wire = wire::encode(&message, self.variant.check_quorum());
        if wire::is_response(kind) {
            if let Some(answering) = self.answering.as_mut().filter(|a| a.from == to && !a.answered) {
                answering.answered = true;
                let call = answering.call;
                self.outputs.push_back(Output::Reply { to, call, message: wire });
                return;
            }
        }
        if wire::is_request(kind) {
            self.next_call += 1;
            let call = CallId(self.next_call);
            self.calls.insert(call, (to, kind));
            self.outputs.push_back(Output::Call { to, call, message: wire });
        } else {
            self.outputs.push_back(Output::Send { to, message: wire });
        }
    }

    fn step(&mut self, from: NodeId, message: &WireMessage) {
        let Some(decoded) = wire::decode(message) else { return };
        if decoded.from != raft_id(from) || decoded.to != self.raw.raft.id || !is_peer_message(decoded.get_msg_type()) {
            return;
        }
        // A step error is a message raft-rs will not take (an unknown peer): ignored.
        let _ = self.raw.step(decoded);
    }
}

/// Messages a peer may send (never raft-rs's local ones, such as MsgHup or MsgPropose).
fn is_peer_message(kind: MessageType) -> bool {
    wire::is_request(kind) || wire::is_response(kind) || kind == MessageType::MsgTimeoutNow
}

impl api::Node for RaftRsNode {
    fn handle_message(&mut self, _now: Instant, from: NodeId, delivery: Delivery, message: WireMessage) {
        match delivery {
            Delivery::Request(call) => {
                self.answering = Some(Answering { from, call, answered: false });
                self.step(from, &message);
                self.pump();
                let answering = self.answering.take().expect("set above");
                if !answering.answered {
                    self.outputs.push_back(Output::Reply { to: from, call, message: wire::no_answer() });
                }
            }
            Delivery::Reply(call) => {
                let open = self.calls.remove(&call);
                self.step(from, &message);
                // raft-rs leaves the link layer to say a snapshot arrived
                // (RawNode::report_snapshot, as in etcd raft): without it a
                // leader whose follower answered the snapshot with an index
                // it already had matched stays in its Snapshot state, paused,
                // sending that follower nothing but heartbeats.
                if let Some((peer, MessageType::MsgSnapshot)) = open {
                    self.raw.report_snapshot(raft_id(peer), SnapshotStatus::Finish);
                }
                self.pump();
            }
            Delivery::OneWay => {
                self.step(from, &message);
                self.pump();
            }
        }
    }

    fn handle_call_failed(&mut self, _now: Instant, to: NodeId, call: CallId) {
        let Some(&(peer, kind)) = self.calls.get(&call).filter(|(peer, _)| *peer == to) else { return };
        self.calls.remove(&call);
        if kind == MessageType::MsgSnapshot {
            self.raw.report_snapshot(raft_id(peer), SnapshotStatus::Failure);
        } else {
            self.raw.report_unreachable(raft_id(peer));
        }
        self.pump();
    }

    fn handle_timeout(&mut self, now: Instant) {
        while self.next_tick <= now {
            self.next_tick = self.next_tick.plus_us(TICK_US);
            self.raw.tick();
            self.pump();
        }
    }

    fn start(&mut self, _now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        let term = Term(self.raw.raft.term);
        if self.raw.raft.state != StateRole::Leader {
            return Err(NotLeader { term });
        }
        // An empty command gets a context byte, so that it is not taken for raft-rs's own empty entry.
        let context = if command.is_empty() { vec![1] } else { Vec::new() };
        if self.raw.propose(context, command).is_err() {
            return Err(NotLeader { term });
        }
        let own = self.raw.raft.raft_log.last_index();
        self.pump();
        let index = self.raw.store().renumbering().to_lab(LogIndex(own));
        Ok(Started { index, term })
    }

    fn snapshot(&mut self, _now: Instant, index: LogIndex, data: Vec<u8>) {
        let Some(own) = self.raw.store().renumbering().to_own(index) else { return };
        let store = self.raw.store();
        if own.0 <= store.snapshot_index() || own.0 > self.raw.raft.raft_log.applied {
            return;
        }
        self.raw.mut_store().compact(own.0, Arc::from(data));
        self.persist();
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.next_tick)
    }

    fn get_state(&self) -> (Term, bool) {
        (Term(self.raw.raft.term), self.raw.raft.state == StateRole::Leader)
    }

    fn inspect(&self) -> Option<&dyn api::Inspect> {
        Some(self)
    }

    fn describe(&self, message: &WireMessage) -> String {
        wire::describe(message)
    }
}
