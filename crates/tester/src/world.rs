//! The driver: carries every node's outputs out through the labrpc model,
//! delivers messages, call failures and timeouts in (virtual time, seq)
//! order, keeps the persisters, and runs the appliers. This is where any
//! Raft behind the node API meets the lab's world (config.go's
//! start1/crash1/connect/disconnect, LAB-SPEC §3), and where the seam's
//! protocol is enforced: a reply names a call the node received and has not
//! answered; messages go to peers that exist; a panic is a finding.

use std::sync::Arc;

use api::{Apply, CallId, Delivery, Factory, Instant, LogIndex, MakeArgs, Node, NodeId, Output, WireMessage};
use labrpc::{Call, Dispatch, Network, ReplyFate, RequestFate};
use sim::{Sim, Time};

use crate::applier::Applied;
use crate::clock::Clock;
use crate::coverage::Tracker;
use crate::crashpoint::{CrashPoints, Outputs};
use crate::invariants::Invariants;
use crate::protocol::Protocol;
use crate::recorder::{view, Recorder};
use crate::tape::{default_node_seed, Sources, NODE_SEED};
use crate::trace::{Fault, Input, MessageId, MessageKind, TraceEvent};
use crate::{Check, Failure, Persister, Value};

/// What the event queue carries: small (24 bytes), since every event is
/// moved into the queue and out again; a message on the wire waits in the
/// world's [`InFlight`] slab and the event names its slot.
pub enum Event {
    /// The message in this slot arrives: a request (or one-way message) at
    /// `call.to`, a reply at `call.from` (a reply's bytes count on delivery).
    Arrive { flight: usize },
    /// Call `id` of `server` (incarnation `generation`) to `to` failed.
    CallFailed { server: u32, generation: u32, to: u32, id: CallId },
    /// A node's deadline, armed for one incarnation.
    Timer { server: usize, generation: u32 },
}

// The queue moves every event twice: keep the claim above true.
const _: () = assert!(std::mem::size_of::<Event>() <= 24);

/// A message on the wire, from its send to its delivery (or the run's end).
/// 128 bytes: a larger value would be moved in and out of the slab by a
/// `memcpy` call, not inline.
struct Flight {
    call: Call,
    id: CallId,
    msg: MessageId,
    message: WireMessage,
    kind: PackedKind,
}

const _: () = assert!(std::mem::size_of::<Flight>() <= 128);

#[derive(Clone, Copy)]
enum FlightKind {
    Request {
        one_way: bool,
    },
    /// A reply to request `request`.
    Reply {
        request: MessageId,
    },
}

/// A [`FlightKind`] in one word: the id of the request a reply answers
/// (message ids start at 1), or a reserved word for a request.
#[derive(Clone, Copy)]
struct PackedKind(u64);

impl PackedKind {
    const CALL: u64 = 0;
    const ONE_WAY: u64 = u64::MAX;

    fn new(kind: FlightKind) -> PackedKind {
        PackedKind(match kind {
            FlightKind::Request { one_way: false } => Self::CALL,
            FlightKind::Request { one_way: true } => Self::ONE_WAY,
            FlightKind::Reply { request } => {
                debug_assert!(request.0 != Self::CALL && request.0 != Self::ONE_WAY, "message ids start at 1");
                request.0
            }
        })
    }

    fn get(self) -> FlightKind {
        match self.0 {
            Self::CALL => FlightKind::Request { one_way: false },
            Self::ONE_WAY => FlightKind::Request { one_way: true },
            request => FlightKind::Reply { request: MessageId(request) },
        }
    }
}

/// The messages on the wire (a slab: its slots are reused, so no allocation per message).
type InFlight = slab::Slab<Flight>;

/// One server slot: the live Raft (if any), its persister and the tester's record of it.
pub(crate) struct Peer {
    pub node: Option<Box<dyn Node>>,
    pub timer_at: Option<Time>,
    pub connected: bool,
    pub persister: Persister,
    pub applied: Applied,
    /// The machine's clock (timer drift); true time by default.
    pub clock: Clock,
    /// Requests this server is handling and has not answered, in arrival order.
    /// A handful at most, so a small vector (no allocation per request once it has grown).
    open_calls: Vec<OpenCall>,
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
    pub const CALL_FAILED: u64 = 10;
    pub const CRASH_POINT: u64 = 11;
    pub const LINK: u64 = 12;
    pub const DUPLICATE: u64 = 13;
}

/// The hash word of a single link change.
pub(crate) fn tag_link(from: usize, to: usize, on: bool) -> u64 {
    tag::LINK << 32 | u64::from(on) << 24 | (from as u64) << 16 | to as u64
}

/// A request a server is handling: (caller, the caller's call id, the network's call, the request's message id).
type OpenCall = (usize, CallId, Call, MessageId);

pub(crate) struct World {
    pub sim: Sim<Event>,
    pub peers: Vec<Peer>,
    in_flight: InFlight,
    pub net: Network,
    /// Every draw of the run: the network's, the nodes' seeds, the scenario's (crate::tape).
    pub draws: Sources,
    factory: Arc<dyn Factory>,
    pub snapshot_mode: bool,
    pub failure: Option<Failure>,
    /// The largest index any server applied (the lab's maxIndex).
    pub max_index: u64,
    pub invariants: Invariants,
    /// The seam's protocol rules the lab does not check (crate::protocol).
    protocol: Protocol,
    next_message: u64,
    pub recorder: Option<Recorder>,
    /// The node call under way, if any: a panic caught around the run is that node's (see [`crate::run`]).
    pub in_node: Option<(usize, NodeCall)>,
    /// Crashes armed to land inside a node's next step.
    pub crash_points: CrashPoints,
    /// The schedule-coverage counters.
    pub coverage: Tracker,
}

/// A call into the Raft under test, for naming a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCall {
    Input(Input),
    PollOutput,
    PollTimeout,
    Make,
}

impl World {
    pub fn new(
        sim: Sim<Event>,
        servers: usize,
        snapshot_mode: bool,
        factory: Arc<dyn Factory>,
        check_invariants: bool,
        record: bool,
        draws: Sources,
    ) -> World {
        let peers = (0..servers)
            .map(|_| Peer {
                node: None,
                timer_at: None,
                connected: false,
                persister: Persister::default(),
                applied: Applied::new(),
                clock: Clock::default(),
                open_calls: Vec::new(),
            })
            .collect();
        World {
            sim,
            peers,
            in_flight: InFlight::with_capacity(4 * servers * servers),
            net: Network::new(servers),
            draws,
            factory,
            snapshot_mode,
            failure: None,
            max_index: 0,
            invariants: Invariants::new(servers, check_invariants),
            protocol: Protocol::new(servers),
            next_message: 0,
            recorder: record.then(|| Recorder::new(servers)),
            crash_points: CrashPoints::new(servers),
            coverage: Tracker::new(servers),
            in_node: None,
        }
    }

    pub fn servers(&self) -> usize {
        self.peers.len()
    }

    /// Names the scenario's next draw (its count, and now).
    pub fn next_scenario_draw(&mut self) {
        let draw = self.draws.scenario_draws;
        self.draws.scenario_draws += 1;
        self.draws.scenario.set_context(draw, self.sim.now().micros());
    }

    /// Now on server `i`'s own clock.
    fn local_now(&self, i: usize) -> Instant {
        self.peers[i].clock.local(self.sim.now())
    }

    /// Records the first failure; the run stops at the next step. Out of
    /// line: the checks that call it run on every step and rarely fail.
    #[cold]
    #[inline(never)]
    pub fn fail(&mut self, failure: Failure) {
        if self.failure.is_none() {
            let failure = match failure.at {
                Some(_) => failure,
                None => failure.at(self.sim.now()),
            };
            tracing::debug!(check = failure.check.name(), reason = %failure.reason, "FAIL");
            self.record_with(|| TraceEvent::Failed(failure.clone()));
            self.failure = Some(failure);
        }
    }

    /// Adds the event `make` builds, only if this run is recorded (no cost otherwise).
    #[inline]
    pub fn record_with(&mut self, make: impl FnOnce() -> TraceEvent) {
        if let Some(recorder) = self.recorder.as_mut() {
            recorder.push(self.sim.now(), make());
        }
    }

    // ---- events ---------------------------------------------------------------

    pub fn handle(&mut self, event: Event) {
        if let Err(failure) = self.protocol.overdue(self.sim.now()) {
            return self.fail(failure);
        }
        match event {
            Event::Arrive { flight } => {
                let Flight { call, id, msg, message, kind } = self.in_flight.remove(flight);
                match kind.get() {
                    FlightKind::Request { one_way } => self.deliver_request(call, id, msg, message, one_way),
                    FlightKind::Reply { request } => self.deliver_reply(call, id, msg, request, message),
                }
            }
            Event::CallFailed { server, generation, to, id } => {
                let (server, to) = (server as usize, to as usize);
                if self.net.generation(server) != generation || self.peers[server].node.is_none() {
                    return;
                }
                self.sim.hash_add(tag::CALL_FAILED << 32 | (server as u64) << 16 | to as u64);
                let peer = NodeId(to as u32);
                self.step(server, Input::CallFailed { to: to as u32, call: id }, move |node, now| {
                    node.handle_call_failed(now, peer, id);
                });
                self.after_step(server);
            }
            Event::Timer { server, generation } => {
                let now = self.sim.now();
                if self.net.generation(server) != generation || self.peers[server].timer_at != Some(now) {
                    return;
                }
                self.peers[server].timer_at = None;
                self.sim.hash_add(tag::TIMER << 32 | server as u64);
                self.step(server, Input::Timeout, |node, now| node.handle_timeout(now));
                self.after_step(server);
            }
        }
    }

    fn deliver_request(&mut self, call: Call, id: CallId, msg: MessageId, message: WireMessage, one_way: bool) {
        match self.net.arrive(&call) {
            Dispatch::Lost(reason) => {
                self.lost(msg, call.from, call.to, reason);
                if !one_way {
                    self.call_failed_after(call.from, call.end_generation, call.to, id, 0);
                }
            }
            Dispatch::Handle => {
                self.sim.hash_add(tag::REQUEST << 32 | (call.from as u64) << 16 | call.to as u64);
                self.record_with(|| TraceEvent::Delivered { id: msg, from: call.from as u32, to: call.to as u32 });
                self.coverage.request_delivered(call.from, call.to, msg.0, message.header.name);
                self.note_term_delivered(call.to, message.header.term);
                let delivery = if one_way {
                    Delivery::OneWay
                } else {
                    self.peers[call.to].open_calls.push((call.from, id, call, msg));
                    self.protocol.delivered(call.to, call.from, id, self.sim.now());
                    Delivery::Request(id)
                };
                let (from, term) = (NodeId(call.from as u32), message.header.term);
                self.step(call.to, Input::Message(msg), move |node, now| {
                    node.handle_message(now, from, delivery, message);
                });
                if let Some(term) = term {
                    self.check_term_rule(call.to, term.0);
                }
                self.after_step(call.to);
            }
        }
    }

    fn deliver_reply(&mut self, call: Call, id: CallId, msg: MessageId, request: MessageId, message: WireMessage) {
        self.net.reply_delivered(message.len());
        // A reply to a dead incarnation returns to a killed Raft: nothing happens.
        if self.net.generation(call.from) != call.end_generation {
            self.record_with(|| TraceEvent::Lost {
                id: msg,
                from: call.to as u32,
                to: call.from as u32,
                reason: labrpc::Lost::CallerGone,
            });
            return;
        }
        self.sim.hash_add(tag::REPLY << 32 | (call.to as u64) << 16 | call.from as u64);
        self.record_with(|| TraceEvent::Delivered { id: msg, from: call.to as u32, to: call.from as u32 });
        self.coverage.reply_delivered(call.from, call.to, request.0);
        self.note_term_delivered(call.from, message.header.term);
        let (to, term) = (NodeId(call.to as u32), message.header.term);
        self.step(call.from, Input::Message(msg), move |node, now| {
            node.handle_message(now, to, Delivery::Reply(id), message);
        });
        if let Some(term) = term {
            self.check_term_rule(call.from, term.0);
        }
        self.after_step(call.from);
    }

    /// Server `i` handles one input; a panic in the Raft is a finding, not a crash.
    /// Records the step's state before and after. The caller then runs [`World::after_step`].
    pub fn step(&mut self, i: usize, input: Input, handle: impl FnOnce(&mut dyn Node, Instant)) {
        let now = self.local_now(i);
        let Some(node) = self.peers[i].node.as_deref_mut() else { return };
        self.protocol.handling(i, input);
        let before = self.recorder.is_some().then(|| view(node));
        self.coverage.before_step(i, node.inspect());
        self.in_node = Some((i, NodeCall::Input(input)));
        handle(node, now);
        self.in_node = None;
        if let (Some(before), Some(node)) = (before, self.peers[i].node.as_deref()) {
            let after = view(node);
            let recorder = self.recorder.as_mut().expect("recording");
            recorder.push(self.sim.now(), TraceEvent::Step { node: i as u32, input, before, after });
            if let Some(inspect) = node.inspect() {
                recorder.log_changes(self.sim.now(), i, inspect);
            }
        }
    }

    /// After a step: carry out its outputs, rearm the timer, check the invariants.
    pub fn after_step(&mut self, i: usize) {
        self.drive(i);
    }

    /// The Raft under test panicked in `call` on server `i`: a finding, and the node is gone
    /// (its state is unknown now, so it takes no more inputs).
    pub(crate) fn node_panicked(&mut self, i: usize, call: NodeCall, panic: &(dyn std::any::Any + Send)) {
        let text = panic
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        self.in_node = None;
        self.peers[i].node = None;
        let what = match call {
            NodeCall::Input(input) => format!("handling {input:?}"),
            NodeCall::PollOutput => "in poll_output".to_string(),
            NodeCall::PollTimeout => "in poll_timeout".to_string(),
            NodeCall::Make => "in Make (restoring its persisted state)".to_string(),
        };
        self.fail(Failure::new(Check::NodePanic, format!("n{i} panicked {what}: {text}")).node(i));
    }

    fn lost(&mut self, msg: MessageId, from: usize, to: usize, reason: labrpc::Lost) {
        self.sim.hash_add(tag::LOST << 32 | (reason as u64) << 16 | (from as u64) << 8 | to as u64);
        self.record_with(|| TraceEvent::Lost { id: msg, from: from as u32, to: to as u32, reason });
    }

    fn call_failed_after(&mut self, server: usize, generation: u32, to: usize, id: CallId, delay_us: u64) {
        if !self.peers[server].node.as_deref().is_some_and(|node| node.wants_call_failures()) {
            return;
        }
        let at = self.sim.now().plus_us(delay_us);
        self.sim.schedule(at, Event::CallFailed { server: server as u32, generation, to: to as u32, id });
    }

    /// Carries out server `i`'s outputs in order; an armed crash point may
    /// crash the server between two of them.
    pub fn drive(&mut self, i: usize) {
        let mut carried = Outputs::default();
        while let Some(output) = self.next_output(i) {
            if self.crash_points.fires(i, carried.count) {
                return self.crash_inside_step(i, carried, output);
            }
            carried.note(&output);
            self.carry_out(i, output);
        }
        self.rearm_timer(i);
        self.inspect_after_step(i);
    }

    /// Server `i`'s next output, if it has a Raft and one is queued.
    fn next_output(&mut self, i: usize) -> Option<Output> {
        let node = self.peers[i].node.as_deref_mut()?;
        self.in_node = Some((i, NodeCall::PollOutput));
        let output = node.poll_output();
        self.in_node = None;
        output
    }

    /// A crash point fired: `carried` outputs were carried out, `next` and the rest are lost.
    fn crash_inside_step(&mut self, i: usize, carried: Outputs, next: Output) {
        let mut dropped = Outputs::default();
        dropped.note(&next);
        while let Some(output) = self.next_output(i) {
            dropped.note(&output);
        }
        if Outputs::split_persist_and_send(&carried, &dropped) {
            self.coverage.crash_split_persist_and_send();
        }
        self.sim.hash_add(tag::CRASH_POINT << 32 | (carried.count as u64) << 16 | i as u64);
        self.crash(i);
    }

    fn carry_out(&mut self, i: usize, output: Output) {
        match output {
            Output::Call { to, call, message } => {
                if self.check_peer(i, to) {
                    self.send(i, to.0 as usize, Some(call), message);
                }
            }
            Output::Send { to, message } => {
                if self.check_peer(i, to) {
                    self.send(i, to.0 as usize, None, message);
                }
            }
            Output::Reply { to, call, message } => match self.take_open_call(i, to.0 as usize, call) {
                Some((net_call, request)) => {
                    self.protocol.closed(i, to.0 as usize, call);
                    self.send_reply(net_call, call, request, message);
                }
                None => self.fail(
                    Failure::new(
                        Check::Driver,
                        format!("n{i} replied to call {call} from n{to}, which it never received or already answered"),
                    )
                    .node(i),
                ),
            },
            Output::Persist(persist) => {
                let keep_bytes = persist.keep_bytes;
                if let Err(saved) = self.peers[i].persister.save_tail(keep_bytes, persist.raft_state, persist.snapshot)
                {
                    self.fail(
                        Failure::new(
                            Check::Driver,
                            format!("n{i} persisted keeping {keep_bytes} bytes of a saved state of {saved} bytes"),
                        )
                        .node(i),
                    );
                }
            }
            Output::Apply(apply) => {
                if let Err(failure) = self.apply(i, apply) {
                    self.fail(failure);
                }
            }
        }
    }

    /// Coverage: a message of header term `term` reaches server `i` (before it handles it).
    fn note_term_delivered(&mut self, i: usize, term: Option<api::Term>) {
        let (Some(term), Some(node)) = (term, self.peers[i].node.as_deref()) else { return };
        self.coverage.term_delivered(term.0, node.get_state().0 .0);
    }

    /// A message to a peer that does not exist (or to itself) breaks the protocol.
    fn check_peer(&mut self, i: usize, to: NodeId) -> bool {
        if (to.0 as usize) < self.servers() && to.0 as usize != i {
            return true;
        }
        let reason = format!("n{i} sent a message to n{to}, which is not one of its peers (0..{})", self.servers());
        self.fail(Failure::new(Check::Driver, reason).node(i));
        false
    }

    /// Figure 2's term rule, right after server `i` handled a message whose header carries `term`.
    /// It needs only GetState, so it holds every Raft, inspectable or not.
    fn check_term_rule(&mut self, i: usize, term: u64) {
        let Some(node) = self.peers[i].node.as_deref() else { return };
        if let Err(failure) = self.invariants.after_receive(i, term, node, self.sim.now()) {
            self.fail(failure);
        }
    }

    /// Server `i`'s state, read once after its step and outputs, for the
    /// schedule-coverage counters and Raft's safety properties (the invariants).
    fn inspect_after_step(&mut self, i: usize) {
        let Some(inspect) = self.peers[i].node.as_deref().and_then(|node| node.inspect()) else { return };
        let state = inspect.state();
        self.coverage.after_step(i, inspect, &state);
        let generation = self.net.generation(i);
        if let Err(failure) = self.invariants.after_step(i, generation, inspect, state, self.sim.now()) {
            self.fail(failure);
        }
    }

    fn next_message_id(&mut self) -> MessageId {
        self.next_message += 1;
        MessageId(self.next_message)
    }

    /// Records a message's send, with its summary (only when recording; the
    /// callers test that first, so a sweep pays no call per message).
    #[cold]
    fn record_sent(
        &mut self,
        msg: MessageId,
        from: usize,
        to: usize,
        call: Option<CallId>,
        kind: MessageKind,
        message: &WireMessage,
    ) {
        let Some(recorder) = self.recorder.as_mut() else { return };
        let summary = match self.peers[from].node.as_deref() {
            Some(node) => node.describe(message),
            None => message.header.name.to_string(),
        };
        let event = TraceEvent::Sent {
            id: msg,
            from: from as u32,
            to: to as u32,
            kind,
            call,
            term: message.header.term,
            name: message.header.name,
            summary,
            bytes: message.len(),
        };
        recorder.push(self.sim.now(), event);
    }

    /// A call (`call` is its id) or a one-way message (`call` is none).
    fn send(&mut self, from: usize, to: usize, call: Option<CallId>, message: WireMessage) {
        self.sim.hash_bytes(&message.bytes);
        let msg = self.next_message_id();
        let kind = if call.is_some() { MessageKind::Request } else { MessageKind::OneWay };
        if self.recorder.is_some() {
            self.record_sent(msg, from, to, call, kind, &message);
        }
        self.draws.net.set_context(msg.0, self.sim.now().micros());
        match self.net.send_request(&mut self.draws.net, from, to, message.len()) {
            RequestFate::Arrive { call: net_call, delay_us } => {
                let extra = self.net.nemesis().decide(&mut self.draws.net, message.header.name);
                let at = self.sim.now().plus_us(delay_us + extra.delay_us);
                let id = call.unwrap_or_default();
                let one_way = call.is_none();
                if let Some(after_us) = extra.duplicate_after_us {
                    self.sim.hash_add(tag::DUPLICATE << 32 | msg.0);
                    let kind = PackedKind::new(FlightKind::Request { one_way });
                    self.fly(at.plus_us(after_us), Flight { call: net_call, id, msg, message: message.clone(), kind });
                }
                let kind = PackedKind::new(FlightKind::Request { one_way });
                self.fly(at, Flight { call: net_call, id, msg, message, kind });
            }
            RequestFate::Lost { reason, delay_us } => {
                self.lost(msg, from, to, reason);
                if let Some(id) = call {
                    let generation = self.net.generation(from);
                    self.call_failed_after(from, generation, to, id, delay_us);
                }
            }
        }
    }

    /// Puts `flight` on the wire, to arrive at `at`.
    fn fly(&mut self, at: Time, flight: Flight) {
        let flight = self.in_flight.insert(flight);
        self.sim.schedule(at, Event::Arrive { flight });
    }

    fn send_reply(&mut self, net_call: Call, id: CallId, request: MessageId, message: WireMessage) {
        self.sim.hash_bytes(&message.bytes);
        let msg = self.next_message_id();
        if self.recorder.is_some() {
            self.record_sent(msg, net_call.to, net_call.from, Some(id), MessageKind::Reply, &message);
        }
        self.draws.net.set_context(msg.0, self.sim.now().micros());
        match self.net.send_reply(&mut self.draws.net, &net_call) {
            ReplyFate::Deliver { delay_us } => {
                let at = self.sim.now().plus_us(delay_us);
                self.fly(
                    at,
                    Flight { call: net_call, id, msg, message, kind: PackedKind::new(FlightKind::Reply { request }) },
                );
            }
            ReplyFate::Lost(reason) => {
                self.lost(msg, net_call.to, net_call.from, reason);
                self.call_failed_after(net_call.from, net_call.end_generation, net_call.to, id, 0);
            }
        }
    }

    /// The open request of `caller`'s call `id` that server `i` is handling, taken.
    fn take_open_call(&mut self, i: usize, caller: usize, id: CallId) -> Option<(Call, MessageId)> {
        let open = &mut self.peers[i].open_calls;
        let at = open.iter().position(|&(from, call, _, _)| from == caller && call == id)?;
        let (_, _, net_call, request) = crate::protocol::remove_in_order(open, at);
        Some((net_call, request))
    }

    /// Open calls that touch `server` are dead: their callers learn so (labrpc's
    /// handler wait sees a disabled end or a replaced server within 100 ms).
    /// In handler order, then in the order the requests arrived.
    fn fail_open_calls_of(&mut self, server: usize) {
        for handler in 0..self.servers() {
            if self.peers[handler].open_calls.is_empty() {
                continue;
            }
            let open = std::mem::take(&mut self.peers[handler].open_calls);
            let (dead, live): (Vec<OpenCall>, Vec<OpenCall>) =
                open.into_iter().partition(|&(caller, _, _, _)| handler == server || caller == server);
            self.peers[handler].open_calls = live;
            for (caller, id, net_call, _) in dead {
                self.protocol.closed(handler, caller, id);
                self.call_failed_after(caller, net_call.end_generation, handler, id, 0);
            }
        }
    }

    fn rearm_timer(&mut self, i: usize) {
        self.in_node = Some((i, NodeCall::PollTimeout));
        let deadline = self.peers[i].node.as_ref().and_then(|node| node.poll_timeout());
        self.in_node = None;
        let Some(deadline) = deadline else { return };
        let local_now = Time::from_micros(self.local_now(i).micros());
        if let Err(failure) = self.protocol.deadline(i, deadline, local_now) {
            return self.fail(failure);
        }
        let at = self.peers[i].clock.true_time(deadline, self.sim.now());
        if self.peers[i].timer_at.is_none_or(|armed| at < armed) {
            self.peers[i].timer_at = Some(at);
            let generation = self.net.generation(i);
            self.sim.schedule(at, Event::Timer { server: i, generation });
        }
    }

    fn apply(&mut self, i: usize, apply: Apply) -> Result<(), Failure> {
        match apply {
            Apply::Command { index, term, command } => {
                self.sim.hash_add(tag::APPLY << 32 | i as u64);
                self.sim.hash_add(index.0);
                self.sim.hash_bytes(&command);
                self.record_with(|| TraceEvent::Applied {
                    node: i as u32,
                    index: index.0,
                    term: term.0,
                    command: Value::decode(&command),
                    bytes: Arc::clone(&command),
                });
                self.invariants.applied_command(i, index.0, &command, self.sim.now())?;
                let snapshot = self.apply_command(i, index.0, &command)?;
                self.protocol.applied_command(i, index.0)?;
                if let Some(data) = snapshot {
                    self.service_snapshot(i, index, data);
                }
                Ok(())
            }
            Apply::Snapshot { index, term, data } => {
                self.sim.hash_add(tag::APPLY << 32 | 1 << 16 | i as u64);
                self.sim.hash_add(index.0);
                self.record_with(|| TraceEvent::SnapshotInstalled { node: i as u32, index: index.0, term: term.0 });
                self.apply_snapshot(i, index.0, &data)?;
                self.protocol.applied_snapshot(i, index.0)
            }
        }
    }

    /// The service's Snapshot(index, data) on server `i`, from within its apply.
    fn service_snapshot(&mut self, i: usize, index: LogIndex, data: Vec<u8>) {
        self.record_with(|| TraceEvent::SnapshotTaken { node: i as u32, index: index.0 });
        let now = self.local_now(i);
        let Some(node) = self.peers[i].node.as_deref_mut() else { return };
        self.in_node = Some((i, NodeCall::Input(Input::Snapshot { index: index.0 })));
        node.snapshot(now, index, data);
        self.in_node = None;
    }

    // ---- config.go's connectivity and lifecycle ---------------------------------

    /// connect(i): enable the ends between i and every connected server (itself included).
    pub fn connect(&mut self, i: usize) {
        self.sim.hash_add(tag::CONNECT << 32 | i as u64);
        self.record_with(|| TraceEvent::Fault(Fault::Connect(i as u32)));
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
        self.note_leader_lost(i);
        self.sim.hash_add(tag::DISCONNECT << 32 | i as u64);
        self.record_with(|| TraceEvent::Fault(Fault::Disconnect(i as u32)));
        self.peers[i].connected = false;
        for j in 0..self.servers() {
            self.net.enable(i, j, false);
            self.net.enable(j, i, false);
        }
        self.fail_open_calls_of(i);
    }

    /// Coverage: server `i` is about to be cut off or crash; is it a leader with uncommitted entries?
    pub(crate) fn note_leader_lost(&mut self, i: usize) {
        if !self.peers[i].connected {
            return;
        }
        if let Some(inspect) = self.peers[i].node.as_deref().and_then(|node| node.inspect()) {
            self.coverage.leader_lost(inspect);
        }
    }

    pub fn set_reliable(&mut self, reliable: bool) {
        if self.net.reliable() != reliable {
            self.record_with(|| TraceEvent::Fault(Fault::Unreliable(!reliable)));
        }
        self.net.set_reliable(reliable);
    }

    pub fn set_long_reordering(&mut self, on: bool) {
        if self.net.long_reordering() != on {
            self.record_with(|| TraceEvent::Fault(Fault::LongReordering(on)));
        }
        self.net.set_long_reordering(on);
    }

    /// crash1(i): disconnect, delete the server, keep the persister, kill the Raft.
    pub fn crash(&mut self, i: usize) {
        self.crash_points.disarm(i);
        self.disconnect(i);
        self.net.delete_server(i);
        if self.peers[i].node.take().is_some() {
            self.sim.hash_add(tag::CRASH << 32 | i as u64);
            self.record_with(|| TraceEvent::Fault(Fault::Crash(i as u32)));
        }
        self.peers[i].timer_at = None;
        self.coverage.crashed(i);
    }

    /// start1(i): crash, then a new Raft from the persisted state, left disconnected.
    pub fn start(&mut self, i: usize) {
        self.crash(i);
        self.net.start_server(i);
        self.sim.hash_add(tag::START << 32 | i as u64);
        self.record_with(|| TraceEvent::Fault(Fault::Restart(i as u32)));
        let snapshot = Arc::clone(self.peers[i].persister.snapshot());
        if let Err(failure) = self.peers[i].applied.restart(i, &snapshot) {
            return self.fail(failure);
        }
        self.protocol.restarted(i, &snapshot);
        let incarnation = self.draws.incarnations;
        self.draws.incarnations += 1;
        self.draws.nodes.set_context(incarnation, self.sim.now().micros());
        let args = MakeArgs {
            me: NodeId(i as u32),
            peers: self.servers() as u32,
            now: self.local_now(i),
            rng_seed: self.draws.nodes.next_u64(NODE_SEED, default_node_seed(incarnation)),
            raft_state: self.peers[i].persister.raft_state().to_vec(),
            snapshot,
        };
        self.in_node = Some((i, NodeCall::Make));
        let made = self.factory.make(args);
        self.in_node = None;
        match made {
            Ok(node) => {
                self.peers[i].node = Some(node);
                self.record_restored(i);
                self.rearm_timer(i);
                self.inspect_after_step(i);
            }
            Err(reason) => self.fail(Failure::new(Check::Restore, format!("server {i}: {reason}")).node(i)),
        }
    }

    fn record_restored(&mut self, i: usize) {
        let (Some(recorder), Some(node)) = (self.recorder.as_mut(), self.peers[i].node.as_deref()) else { return };
        recorder.push(self.sim.now(), TraceEvent::Restored { node: i as u32, state: view(node) });
        recorder.forget_log(i);
        if let Some(inspect) = node.inspect() {
            recorder.log_changes(self.sim.now(), i, inspect);
        }
    }
}
