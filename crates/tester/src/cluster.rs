//! config.go for scenarios: a cluster handle with the lab's operations
//! (connect, disconnect, crash1, start1, Start, GetState) and checks
//! (checkOneLeader, checkTerms, checkNoLeader, nCommitted, one, wait), with
//! the lab's timings in virtual time and its failure messages (LAB-SPEC §3).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use sim::{JoinHandle, Sim, Sleep, Time};

use crate::trace::{Input, TestStep, TraceEvent};
use crate::world::{Event, World};
use crate::{fail, Failure, LabCheck, Value};

/// The lab's RaftElectionTimeout: the tester allows an election one second.
pub const ELECTION_TIMEOUT_MS: u64 = 1000;
/// The lab's MAXLOGSIZE: the largest persisted Raft state allowed in 2D, in bytes.
pub const MAX_LOG_SIZE_BYTES: usize = 2000;

/// The statistics line of one test: what the lab prints after "Passed --".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub virtual_time_us: u64,
    pub peers: usize,
    pub rpcs: u64,
    pub bytes: u64,
    pub commands: u64,
}

#[derive(Default)]
struct Span {
    description: String,
    t0: Time,
    rpcs0: u64,
    bytes0: u64,
    max_index0: u64,
    ended: Option<Stats>,
    warnings: Vec<String>,
}

/// A cluster under test. Cheap to clone; every clone drives the same cluster.
#[derive(Clone)]
pub struct Cluster {
    pub(crate) sim: Sim<Event>,
    pub(crate) world: Rc<RefCell<World>>,
    span: Rc<RefCell<Span>>,
    /// Commands a client saw committed, by index (nemesis scenarios).
    pub(crate) acknowledged: Rc<RefCell<BTreeMap<u64, Value>>>,
    /// The fault kinds a swarm-testing scenario turned on for this seed.
    pub(crate) swarm: Rc<RefCell<Vec<&'static str>>>,
}

impl Cluster {
    pub(crate) fn new(sim: Sim<Event>, world: Rc<RefCell<World>>) -> Cluster {
        Cluster { sim, world, span: Rc::default(), acknowledged: Rc::default(), swarm: Rc::default() }
    }

    pub fn servers(&self) -> usize {
        self.world.borrow().servers()
    }

    // ---- the test's own tools -------------------------------------------------

    pub fn now(&self) -> Time {
        self.sim.now()
    }

    pub fn sleep_ms(&self, span_ms: u64) -> Sleep<Event> {
        self.sim.sleep_ms(span_ms)
    }

    /// Starts a concurrent task: the lab's `go func() { ... }()`.
    pub fn spawn<T: 'static>(&self, future: impl Future<Output = T> + 'static) -> JoinHandle<T> {
        self.sim.spawn(future)
    }

    /// U[0, bound) from the test's own seeded stream (Go's `rand.Int() % bound`);
    /// in a fault script, unlisted, 0.
    #[track_caller]
    pub fn rand_below(&self, bound: u64) -> u64 {
        let mut world = self.world.borrow_mut();
        world.next_scenario_draw();
        world.draws.scenario.below_here(crate::tape::VALUE, bound)
    }

    /// True with probability `per_mille`/1000 (the draw `rand_below(1000) < per_mille`
    /// makes); in a fault script, unlisted, false: use it for a fault that may happen.
    #[track_caller]
    pub fn rand_chance_per_mille(&self, per_mille: u64) -> bool {
        self.rand_chance_in(1000, per_mille)
    }

    /// True when U[0, out_of) < hits (the draw `rand_below(out_of) < hits` makes);
    /// in a fault script, unlisted, false.
    #[track_caller]
    pub fn rand_chance_in(&self, out_of: u64, hits: u64) -> bool {
        let mut world = self.world.borrow_mut();
        world.next_scenario_draw();
        world.draws.scenario.chance_in_here(crate::tape::CHANCE, out_of, hits)
    }

    /// Go's `rand.Int()`: a non-negative 63-bit integer.
    #[track_caller]
    pub fn rand_int(&self) -> i64 {
        let mut world = self.world.borrow_mut();
        world.next_scenario_draw();
        (world.draws.scenario.next_u64(crate::tape::BITS, 0) >> 1) as i64
    }

    /// A random command value (Go's `rand.Int()`).
    #[track_caller]
    pub fn rand_value(&self) -> Value {
        Value::Int(self.rand_int())
    }

    /// The lab's randstring(n): n random printable characters (6 bits each, ten per draw).
    #[track_caller]
    pub fn rand_string(&self, len: usize) -> Value {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut world = self.world.borrow_mut();
        let mut text = String::with_capacity(len);
        while text.len() < len {
            world.next_scenario_draw();
            let mut bits = world.draws.scenario.next_u64(crate::tape::BITS, 0);
            for _ in 0..10.min(len - text.len()) {
                text.push(ALPHABET[(bits & 63) as usize] as char);
                bits >>= 6;
            }
        }
        Value::Str(Arc::from(text))
    }

    // ---- begin / end ---------------------------------------------------------

    /// begin(desc): note the description and the counters at the start.
    pub fn begin(&self, description: &str) {
        self.world.borrow_mut().record_with(|| TraceEvent::Test(TestStep::Begin(description.to_string())));
        let world = self.world.borrow();
        *self.span.borrow_mut() = Span {
            description: description.to_string(),
            t0: self.sim.now(),
            rpcs0: world.net.total_rpcs(),
            bytes0: world.net.total_bytes(),
            max_index0: world.max_index,
            ended: None,
            warnings: Vec::new(),
        };
    }

    /// end(): the statistics line of the passed test.
    pub fn end(&self) {
        let stats = self.stats_since_begin();
        self.span.borrow_mut().ended = Some(stats);
    }

    /// A warning the lab prints without failing (e.g. "term changed even though there were no failures").
    pub fn warn(&self, text: &str) {
        self.world.borrow_mut().record_with(|| TraceEvent::Test(TestStep::Warning(text.to_string())));
        self.span.borrow_mut().warnings.push(text.to_string());
    }

    pub fn warnings(&self) -> Vec<String> {
        self.span.borrow().warnings.clone()
    }

    pub fn description(&self) -> String {
        self.span.borrow().description.clone()
    }

    /// The statistics from begin() to end(), or to now if end() was not reached.
    pub fn stats(&self) -> Stats {
        self.span.borrow().ended.unwrap_or_else(|| self.stats_since_begin())
    }

    fn stats_since_begin(&self) -> Stats {
        let world = self.world.borrow();
        let span = self.span.borrow();
        Stats {
            virtual_time_us: self.sim.now().since_us(span.t0),
            peers: world.servers(),
            rpcs: world.net.total_rpcs() - span.rpcs0,
            bytes: world.net.total_bytes() - span.bytes0,
            commands: world.max_index.saturating_sub(span.max_index0),
        }
    }

    // ---- connectivity and lifecycle -----------------------------------------------

    pub fn connect(&self, i: usize) {
        self.world.borrow_mut().connect(i);
    }

    pub fn disconnect(&self, i: usize) {
        self.world.borrow_mut().disconnect(i);
    }

    /// crash1(i): shut server i down but keep its persisted state.
    pub fn crash(&self, i: usize) {
        self.world.borrow_mut().crash(i);
    }

    /// start1(i): (re)start server i from its persisted state, disconnected.
    pub fn start1(&self, i: usize) {
        self.world.borrow_mut().start(i);
    }

    pub fn is_connected(&self, i: usize) -> bool {
        self.world.borrow().peers[i].connected
    }

    /// Whether server i has a Raft (the lab's `rafts[i] != nil`).
    pub fn is_alive(&self, i: usize) -> bool {
        self.world.borrow().peers[i].node.is_some()
    }

    /// setunreliable(on).
    pub fn set_unreliable(&self, unreliable: bool) {
        self.world.borrow_mut().set_reliable(!unreliable);
    }

    pub fn set_long_reordering(&self, on: bool) {
        self.world.borrow_mut().set_long_reordering(on);
    }

    // ---- the Raft API ------------------------------------------------------------

    /// GetState on server i: (term, is_leader), or None if it has no Raft.
    pub fn get_state(&self, i: usize) -> Option<(u64, bool)> {
        let world = self.world.borrow();
        let (term, leader) = world.peers[i].node.as_ref()?.get_state();
        Some((term.0, leader))
    }

    /// Start(cmd) on server i: Some((index, term)) if it took the command as leader.
    pub fn start_command(&self, i: usize, command: &Value) -> Option<(u64, u64)> {
        let mut world = self.world.borrow_mut();
        world.peers[i].node.as_ref()?;
        let mut started = None;
        let bytes = command.encode();
        world.step(i, Input::Start, |node, now| started = Some(node.start(now, bytes)));
        if let Some(Ok(taken)) = &started {
            // The value an index was written with, for traces and diagnosis (the Raft sees only bytes).
            let (index, term) = (taken.index.0, taken.term.0);
            world.record_with(|| TraceEvent::Started { node: i as u32, index, term, value: command.clone() });
        }
        world.after_step(i);
        started?.ok().map(|started| (started.index.0, started.term.0))
    }

    /// The sum of the RPCs each server's current incarnation handled (rpcCount).
    pub fn rpc_count(&self, i: usize) -> u64 {
        self.world.borrow().net.server_rpcs(i)
    }

    pub fn rpc_total(&self) -> u64 {
        self.world.borrow().net.total_rpcs()
    }

    pub fn bytes_total(&self) -> u64 {
        self.world.borrow().net.total_bytes()
    }

    /// LogSize(): the largest persisted Raft state over all servers.
    pub fn log_size(&self) -> usize {
        self.world.borrow().peers.iter().map(|peer| peer.persister.raft_state_size()).max().unwrap_or(0)
    }

    // ---- the checks ------------------------------------------------------------

    /// checkOneLeader: up to 10 rounds of 450–549 ms; two leaders in one term fail.
    pub async fn check_one_leader(&self) -> Result<usize, Failure> {
        for _ in 0..10 {
            let pause_ms = 450 + self.rand_below(100);
            self.sleep_ms(pause_ms).await;
            let mut leaders: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
            for i in 0..self.servers() {
                if !self.is_connected(i) {
                    continue;
                }
                if let Some((term, true)) = self.get_state(i) {
                    leaders.entry(term).or_default().push(i);
                }
            }
            for (term, ids) in &leaders {
                if ids.len() > 1 {
                    let failure =
                        Failure::new(LabCheck::CheckOneLeader, format!("term {term} has {} (>1) leaders", ids.len()));
                    return Err(ids.iter().fold(failure.term(*term), |failure, id| failure.node(*id)));
                }
            }
            if let Some((_, ids)) = leaders.last_key_value() {
                return Ok(ids[0]);
            }
        }
        fail!(LabCheck::CheckOneLeader, "expected one leader, got none")
    }

    /// checkTerms: every connected server reports the same term (-1 if none is connected).
    pub fn check_terms(&self) -> Result<i64, Failure> {
        let mut term = -1;
        for i in 0..self.servers() {
            if !self.is_connected(i) {
                continue;
            }
            if let Some((xterm, _)) = self.get_state(i) {
                if term == -1 {
                    term = xterm as i64;
                } else if term != xterm as i64 {
                    fail!(LabCheck::CheckTerms, "servers disagree on term");
                }
            }
        }
        Ok(term)
    }

    /// checkNoLeader: no connected server claims to be leader.
    pub fn check_no_leader(&self) -> Result<(), Failure> {
        for i in 0..self.servers() {
            if self.is_connected(i) && self.get_state(i).is_some_and(|(_, leader)| leader) {
                let reason = format!("expected no leader among connected servers, but {i} claims to be leader");
                return Err(Failure::new(LabCheck::CheckNoLeader, reason).node(i));
            }
        }
        Ok(())
    }

    /// nCommitted(index): how many servers applied `index`, and the value they agree on.
    pub fn n_committed(&self, index: u64) -> Result<(usize, Option<Value>), Failure> {
        let world = self.world.borrow();
        let mut count = 0;
        let mut agreed: Option<Value> = None;
        for peer in &world.peers {
            if let Some(value) = peer.applied.get(index) {
                if let Some(seen) = &agreed {
                    if seen != value {
                        let reason = format!("committed values do not match: index {index}, {seen}, {value}");
                        return Err(Failure::new(LabCheck::NCommitted, reason).index(index));
                    }
                }
                count += 1;
                agreed = Some(value.clone());
            }
        }
        Ok((count, agreed))
    }

    /// wait(index, n, startTerm): None when some server moved past `start_term` (the lab's -1).
    pub async fn wait(&self, index: u64, n: usize, start_term: i64) -> Result<Option<Value>, Failure> {
        let mut pause_ms = 10;
        for _ in 0..30 {
            let (count, _) = self.n_committed(index)?;
            if count >= n {
                break;
            }
            self.sleep_ms(pause_ms).await;
            if pause_ms < 1000 {
                pause_ms *= 2;
            }
            if start_term > -1 {
                let moved_on =
                    (0..self.servers()).filter_map(|i| self.get_state(i)).any(|(term, _)| term as i64 > start_term);
                if moved_on {
                    return Ok(None);
                }
            }
        }
        let (count, value) = self.n_committed(index)?;
        if count < n {
            let reason = format!("only {count} decided for index {index}; wanted {n}");
            return Err(Failure::new(LabCheck::Wait, reason).index(index));
        }
        Ok(value)
    }

    /// one(cmd, expectedServers, retry): a complete agreement, or a failure after 10 s.
    pub async fn one(&self, command: Value, expected_servers: usize, retry: bool) -> Result<u64, Failure> {
        let t0 = self.now();
        let mut cursor = 0;
        while self.now().since_us(t0) < 10_000_000 {
            let mut index = None;
            for _ in 0..self.servers() {
                cursor = (cursor + 1) % self.servers();
                if self.is_connected(cursor) {
                    if let Some((started, _)) = self.start_command(cursor, &command) {
                        index = Some(started);
                        break;
                    }
                }
            }
            let Some(index) = index else {
                self.sleep_ms(50).await;
                continue;
            };
            let t1 = self.now();
            while self.now().since_us(t1) < 2_000_000 {
                let (count, value) = self.n_committed(index)?;
                if count > 0 && count >= expected_servers && value.as_ref() == Some(&command) {
                    return Ok(index);
                }
                self.sleep_ms(20).await;
            }
            if !retry {
                fail!(LabCheck::One, "one({command}) failed to reach agreement");
            }
        }
        fail!(LabCheck::One, "one({command}) failed to reach agreement")
    }

    /// The liveness phase: once faults stop (every server restarted and
    /// connected, the network reliable), a leader must be elected and a fresh
    /// command committed on every server within `bound_ms` of virtual time.
    pub async fn liveness_after_heal(&self, bound_ms: u64) -> Result<(), Failure> {
        self.world.borrow_mut().record_with(|| TraceEvent::Test(TestStep::Heal { bound_ms }));
        for i in 0..self.servers() {
            if !self.is_alive(i) {
                self.start1(i);
            }
        }
        for i in 0..self.servers() {
            self.connect(i);
        }
        self.set_unreliable(false);
        self.set_long_reordering(false);
        self.heal_nemesis();
        let t0 = self.now();
        let command = self.rand_value();
        // Like one(cmd, n, retry=true): a leader appends no no-op of its own, so
        // entries of earlier terms commit only behind a new command; resubmit
        // whenever the last submission has not committed within 2 s.
        let mut submitted: Option<(u64, Time)> = None;
        while self.now().since_us(t0) < bound_ms * 1000 {
            if let Some((index, _)) = submitted {
                let (count, value) = self.n_committed(index)?;
                if count == self.servers() && value.as_ref() == Some(&command) {
                    return Ok(());
                }
            }
            if submitted.is_none_or(|(_, at)| self.now().since_us(at) >= 2_000_000) {
                let now = self.now();
                submitted =
                    (0..self.servers()).find_map(|i| self.start_command(i, &command)).map(|(index, _)| (index, now));
            }
            self.sleep_ms(20).await;
        }
        let states: Vec<String> = (0..self.servers()).map(|i| self.describe(i)).collect();
        fail!(crate::Check::Liveness, "no progress for {} s after heal; {}", bound_ms / 1000, states.join("; "))
    }

    /// One server's state in a few words, for failure messages.
    pub fn describe(&self, i: usize) -> String {
        let world = self.world.borrow();
        let Some(node) = world.peers[i].node.as_deref() else { return format!("n{i} down") };
        match node.inspect().map(|inspect| inspect.state()) {
            None => {
                let (term, leader) = node.get_state();
                format!("n{i} t{term}{}", if leader { " leader" } else { "" })
            }
            Some(state) => format!(
                "n{i} {} t{} last {}/t{} commit {}",
                state.role.name(),
                state.term,
                state.last_log_index,
                state.last_log_term,
                state.commit_index
            ),
        }
    }
}
