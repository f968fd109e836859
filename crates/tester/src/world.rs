//! The driver: carries every node's outputs out through the labrpc model,
//! delivers messages and timeouts in (virtual time, seq) order, keeps the
//! persisters, and runs the appliers. This is where a sans-IO Raft meets the
//! lab's world (config.go's start1/crash1/connect/disconnect, LAB-SPEC §3).

use std::rc::Rc;

use labrpc::{Call, Dispatch, Network, ReplyFate, RequestFate};
use raft::{Apply, Instant, Message, NodeId, Output};
use sim::{Rng, Sim, Time};

use crate::applier::Applied;
use crate::invariants::Invariants;
use crate::raft_api::{MakeArgs, RaftFactory, RaftNode};
use crate::trace::Summary;
use crate::{Failure, Persister};

/// What the event queue carries.
pub enum Event {
    /// A request reaches `call.to`.
    Request { call: Call, message: Message },
    /// A reply reaches `call.from`; its bytes count on delivery.
    Reply { call: Call, message: Message, bytes: usize },
    /// A node's deadline, armed for one incarnation.
    Timer { server: usize, generation: u32 },
}

/// One server slot: the live Raft (if any), its persister and the tester's record of it.
pub(crate) struct Peer {
    pub node: Option<Box<dyn RaftNode>>,
    pub timer_at: Option<Time>,
    pub connected: bool,
    pub persister: Persister,
    pub applied: Applied,
}

/// Hash tags, so that different happenings never hash alike.
mod tag {
    pub const REQUEST: u64 = 1;
    pub const REPLY: u64 = 2;
    pub const APPLY: u64 = 3;
    pub const TIMER: u64 = 4;
    pub const LOST: u64 = 5;
    pub const CRASH: u64 = 6;
    pub const START: u64 = 7;
    pub const CONNECT: u64 = 8;
    pub const DISCONNECT: u64 = 9;
}

pub(crate) struct World {
    pub sim: Sim<Event>,
    pub peers: Vec<Peer>,
    pub net: Network,
    net_rng: Rng,
    node_seeds: Rng,
    pub test_rng: Rng,
    factory: Rc<dyn RaftFactory>,
    bug: Option<&'static str>,
    pub snapshot_mode: bool,
    pub failure: Option<Failure>,
    /// The largest index any server applied (the lab's maxIndex).
    pub max_index: u64,
    pub invariants: Invariants,
    encode_buf: Vec<u8>,
}

impl World {
    pub fn new(
        sim: Sim<Event>,
        servers: usize,
        seed: u64,
        snapshot_mode: bool,
        factory: Rc<dyn RaftFactory>,
        bug: Option<&'static str>,
        check_invariants: bool,
    ) -> World {
        let peers = (0..servers)
            .map(|_| Peer {
                node: None,
                timer_at: None,
                connected: false,
                persister: Persister::default(),
                applied: Applied::default(),
            })
            .collect();
        World {
            sim,
            peers,
            net: Network::new(servers),
            net_rng: Rng::new(seed, 1),
            node_seeds: Rng::new(seed, 2),
            test_rng: Rng::new(seed, 3),
            factory,
            bug,
            snapshot_mode,
            failure: None,
            max_index: 0,
            invariants: Invariants::new(servers, check_invariants),
            encode_buf: Vec::new(),
        }
    }

    pub fn servers(&self) -> usize {
        self.peers.len()
    }

    fn now(&self) -> Instant {
        Instant(self.sim.now().micros())
    }

    /// Records the first failure; the run stops at the next step.
    pub fn fail(&mut self, failure: Failure) {
        if self.failure.is_none() {
            tracing::debug!(check = failure.check, reason = %failure.reason, "FAIL");
            self.failure = Some(failure);
        }
    }

    // ---- events ---------------------------------------------------------------

    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Request { call, message } => match self.net.arrive(&call) {
                Dispatch::Lost(reason) => self.lost(call.from, call.to, &message, reason),
                Dispatch::Handle => {
                    self.sim.hash_add(tag::REQUEST << 32 | (call.from as u64) << 16 | call.to as u64);
                    tracing::debug!(node = call.to, peer = call.from, msg = %Summary(&message), "recv");
                    let now = self.now();
                    if let Some(node) = self.peers[call.to].node.as_mut() {
                        let term = message.term().0;
                        node.handle_message(now, NodeId(call.from as u32), message);
                        self.check_term_rule(call.to, term);
                        self.drive(call.to, Some(call));
                    }
                }
            },
            Event::Reply { call, message, bytes } => {
                self.net.reply_delivered(bytes);
                // A reply to a dead incarnation returns to a killed Raft: nothing happens.
                if self.net.generation(call.from) != call.end_generation {
                    return;
                }
                self.sim.hash_add(tag::REPLY << 32 | (call.to as u64) << 16 | call.from as u64);
                tracing::debug!(node = call.from, peer = call.to, msg = %Summary(&message), "recv");
                let now = self.now();
                if let Some(node) = self.peers[call.from].node.as_mut() {
                    let term = message.term().0;
                    node.handle_message(now, NodeId(call.to as u32), message);
                    self.check_term_rule(call.from, term);
                    self.drive(call.from, None);
                }
            }
            Event::Timer { server, generation } => {
                let now = self.sim.now();
                if self.net.generation(server) != generation || self.peers[server].timer_at != Some(now) {
                    return;
                }
                self.peers[server].timer_at = None;
                self.sim.hash_add(tag::TIMER << 32 | server as u64);
                let now = self.now();
                if let Some(node) = self.peers[server].node.as_mut() {
                    node.handle_timeout(now);
                    self.drive(server, None);
                }
            }
        }
    }

    fn lost(&mut self, from: usize, to: usize, message: &Message, reason: labrpc::Lost) {
        self.sim.hash_add(tag::LOST << 32 | (reason as u64) << 16 | (from as u64) << 8 | to as u64);
        tracing::debug!(node = from, peer = to, msg = %Summary(message), why = reason.name(), "lost");
    }

    /// Carries out server `i`'s outputs in order; `call` is the request being handled.
    pub fn drive(&mut self, i: usize, call: Option<Call>) {
        while let Some(output) = self.peers[i].node.as_mut().and_then(|node| node.poll_output()) {
            match output {
                Output::Send { to, message } => self.send_request(i, to.0 as usize, message),
                Output::Reply { to, message } => match call {
                    Some(call) if call.from == to.0 as usize => self.send_reply(call, message),
                    _ => self.fail(Failure::new("driver", format!("server {i} replied to {to} outside a request"))),
                },
                Output::Persist(persist) => self.peers[i].persister.save(persist.raft_state, persist.snapshot),
                Output::Apply(apply) => {
                    if let Err(failure) = self.apply(i, apply) {
                        self.fail(failure);
                    }
                }
            }
        }
        self.rearm_timer(i);
        self.check_invariants(i);
    }

    /// Figure 2's term rule, right after server `i` handled a message of `term`.
    fn check_term_rule(&mut self, i: usize, term: u64) {
        let Some(node) = self.peers[i].node.as_deref() else { return };
        if let Err(failure) = self.invariants.after_receive(i, term, node, self.sim.now()) {
            self.fail(failure);
        }
    }

    /// Raft's safety properties, after every step of server `i`.
    fn check_invariants(&mut self, i: usize) {
        let Some(node) = self.peers[i].node.as_deref() else { return };
        let generation = self.net.generation(i);
        if let Err(failure) = self.invariants.after_step(i, generation, node, self.sim.now()) {
            self.fail(failure);
        }
    }

    fn encode(&mut self, message: &Message) -> usize {
        message.encode_into(&mut self.encode_buf);
        self.sim.hash_bytes(&self.encode_buf);
        self.encode_buf.len()
    }

    fn send_request(&mut self, from: usize, to: usize, message: Message) {
        let bytes = self.encode(&message);
        tracing::debug!(node = from, peer = to, msg = %Summary(&message), "send");
        match self.net.send_request(&mut self.net_rng, from, to, bytes) {
            RequestFate::Arrive { call, delay_us } => {
                let at = self.sim.now().plus_us(delay_us);
                self.sim.schedule(at, Event::Request { call, message });
            }
            RequestFate::Lost { reason, .. } => self.lost(from, to, &message, reason),
        }
    }

    fn send_reply(&mut self, call: Call, message: Message) {
        let bytes = self.encode(&message);
        match self.net.send_reply(&mut self.net_rng, &call) {
            ReplyFate::Deliver { delay_us } => {
                let at = self.sim.now().plus_us(delay_us);
                self.sim.schedule(at, Event::Reply { call, message, bytes });
            }
            ReplyFate::Lost(reason) => self.lost(call.to, call.from, &message, reason),
        }
    }

    fn rearm_timer(&mut self, i: usize) {
        let Some(deadline) = self.peers[i].node.as_ref().and_then(|node| node.poll_timeout()) else {
            return;
        };
        let at = Time::from_micros(deadline.micros()).max(self.sim.now());
        if self.peers[i].timer_at.is_none_or(|armed| at < armed) {
            self.peers[i].timer_at = Some(at);
            let generation = self.net.generation(i);
            self.sim.schedule(at, Event::Timer { server: i, generation });
        }
    }

    fn apply(&mut self, i: usize, apply: Apply) -> Result<(), Failure> {
        match apply {
            Apply::Command { index, command, .. } => {
                self.sim.hash_add(tag::APPLY << 32 | i as u64);
                self.sim.hash_add(index.0);
                self.sim.hash_bytes(&command);
                self.invariants.applied_command(i, index.0, &command, self.sim.now())?;
                let snapshot = self.apply_command(i, index.0, &command)?;
                if let Some(data) = snapshot {
                    if let Some(node) = self.peers[i].node.as_mut() {
                        node.snapshot(Instant(self.sim.now().micros()), index, data);
                    }
                }
                Ok(())
            }
            Apply::Snapshot { index, data, .. } => {
                self.sim.hash_add(tag::APPLY << 32 | 1 << 16 | i as u64);
                self.sim.hash_add(index.0);
                self.apply_snapshot(i, index.0, &data)
            }
        }
    }

    // ---- config.go's connectivity and lifecycle ---------------------------------

    /// connect(i): enable the ends between i and every connected server (itself included).
    pub fn connect(&mut self, i: usize) {
        self.sim.hash_add(tag::CONNECT << 32 | i as u64);
        tracing::debug!(node = i, "connect");
        self.peers[i].connected = true;
        for j in 0..self.servers() {
            if self.peers[j].connected {
                self.net.enable(i, j, true);
                self.net.enable(j, i, true);
            }
        }
    }

    /// disconnect(i): disable every end out of and into i.
    pub fn disconnect(&mut self, i: usize) {
        self.sim.hash_add(tag::DISCONNECT << 32 | i as u64);
        tracing::debug!(node = i, "disconnect");
        self.peers[i].connected = false;
        for j in 0..self.servers() {
            self.net.enable(i, j, false);
            self.net.enable(j, i, false);
        }
    }

    /// crash1(i): disconnect, delete the server, keep the persister, kill the Raft.
    pub fn crash(&mut self, i: usize) {
        self.disconnect(i);
        self.net.delete_server(i);
        if self.peers[i].node.take().is_some() {
            self.sim.hash_add(tag::CRASH << 32 | i as u64);
            tracing::debug!(node = i, "crash");
        }
        self.peers[i].timer_at = None;
    }

    /// start1(i): crash, then a new Raft from the persisted state, left disconnected.
    pub fn start(&mut self, i: usize) {
        self.crash(i);
        self.net.start_server(i);
        self.sim.hash_add(tag::START << 32 | i as u64);
        tracing::debug!(node = i, "start");
        let snapshot = std::sync::Arc::clone(self.peers[i].persister.snapshot());
        if let Err(failure) = self.peers[i].applied.restart(i, &snapshot) {
            return self.fail(failure);
        }
        let args = MakeArgs {
            me: NodeId(i as u32),
            peers: self.servers() as u32,
            now: self.now(),
            rng_seed: self.node_seeds.next_u64(),
            raft_state: self.peers[i].persister.raft_state().to_vec(),
            snapshot,
            bug: self.bug,
        };
        match self.factory.make(args) {
            Ok(node) => {
                self.peers[i].node = Some(node);
                self.rearm_timer(i);
                self.check_invariants(i);
            }
            Err(reason) => self.fail(Failure::new("restore", format!("server {i}: {reason}"))),
        }
    }
}
