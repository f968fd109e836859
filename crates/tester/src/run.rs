//! One seeded run of one scenario: make the cluster as make_config does,
//! run the scenario to its end in virtual time, and report the outcome, the
//! lab's statistics and the trace hash.

use std::cell::RefCell;
use std::future::Future;
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::Arc;

use api::Factory;
use sim::{RunEnd, Sim, Time};

use crate::cluster::{Cluster, Stats};
use crate::coverage::Coverage;
use crate::tape::{Decide, Sources, Tape};
use crate::trace::{TraceEvent, Traced};
use crate::world::World;
use crate::{Check, Failure};

/// The lab's per-test limit, in virtual time.
pub const TEST_TIME_LIMIT_SECS: u64 = 120;
/// The liveness phase's bound: progress within this long after the heal.
pub const LIVENESS_BOUND_MS: u64 = 10_000;
/// A run that handles this many events without ending is stuck in a livelock.
pub const EVENT_LIMIT: u64 = 50_000_000;

/// make_config(t, n, unreliable, snapshot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    pub servers: usize,
    pub unreliable: bool,
    pub snapshot: bool,
}

/// How to run: which Raft, with or without Raft's invariants, recorded or not.
#[derive(Clone)]
pub struct Options {
    /// Makes the Raft under test (the lab's Make).
    pub factory: Arc<dyn Factory>,
    /// Check Raft's safety properties after every step (on by default).
    pub check_invariants: bool,
    /// After a passing test, heal every fault and require progress within this
    /// many milliseconds of virtual time (on by default: 10 s).
    pub liveness_bound_ms: Option<u64>,
    /// Keep the run's typed trace in the report (off by default: it costs nothing then).
    pub record: bool,
    /// How message latencies are drawn (loopback timing by default; `labrpc-exact` for comparisons).
    pub network: labrpc::Profile,
    /// Where the run's draws come from: the seed (default), the seed recorded
    /// into [`Report::tape`], or a written script ([`crate::tape`]).
    pub decide: Decide,
}

impl Options {
    /// The defaults (invariants and liveness on, no recording) for this Raft.
    pub fn new(factory: Arc<dyn Factory>) -> Options {
        Options {
            factory,
            check_invariants: true,
            liveness_bound_ms: Some(LIVENESS_BOUND_MS),
            record: false,
            network: labrpc::Profile::default(),
            decide: Decide::Seed,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("raft", &self.factory.name())
            .field("check_invariants", &self.check_invariants)
            .field("liveness_bound_ms", &self.liveness_bound_ms)
            .field("record", &self.record)
            .field("network", &self.network.name())
            .field("decide", &self.decide)
            .finish()
    }
}

/// What one run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The seed; unused (and 0) when a script ran ([`Report::scripted`]).
    pub seed: u64,
    /// Whether written decisions (a fault script) ran instead of the seed.
    pub scripted: bool,
    pub outcome: Result<(), Failure>,
    /// Virtual time at the end of the run.
    pub end_time: Time,
    /// Events the runtime handled.
    pub events: u64,
    /// The lab's statistics line (begin to end).
    pub stats: Stats,
    /// Warnings the test printed without failing.
    pub warnings: Vec<String>,
    pub trace_hash: u64,
    /// The typed trace, when the run was recorded ([`Options::record`]).
    pub trace: Option<Vec<Traced>>,
    /// How often the run reached each bug-prone situation (counted as it went).
    pub coverage: Coverage,
    /// The fault kinds a swarm-testing scenario turned on (empty for the lab's tests).
    pub swarm: Vec<&'static str>,
    /// Every draw the run made, when it was recorded ([`Decide::Record`]).
    pub tape: Option<Tape>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Runs `scenario` on a fresh cluster made from `seed`.
pub fn run<F, Fut>(seed: u64, setup: Setup, options: &Options, scenario: F) -> Report
where
    F: FnOnce(Cluster) -> Fut,
    Fut: Future<Output = Result<(), Failure>> + 'static,
{
    let sim = Sim::new();
    let factory = Arc::clone(&options.factory);
    let world = World::new(
        sim.clone(),
        setup.servers,
        setup.snapshot,
        factory,
        options.check_invariants,
        options.record,
        Sources::new(seed, &options.decide),
    );
    let world = Rc::new(RefCell::new(world));
    let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut world = world.borrow_mut();
        world.net.set_profile(options.network);
        world.set_reliable(!setup.unreliable);
        world.net.set_long_delays(true);
        for i in 0..setup.servers {
            world.start(i);
        }
        for i in 0..setup.servers {
            world.connect(i);
        }
    }));
    if let Err(panic) = made {
        blame_node(&world, panic);
    }
    let cluster = Cluster::new(sim.clone(), Rc::clone(&world));
    let lab_test = scenario(cluster.clone());
    let liveness = options.liveness_bound_ms;
    let phases = cluster.clone();
    let main = async move {
        lab_test.await?;
        if phases.now() > Time::from_secs(TEST_TIME_LIMIT_SECS) {
            return Err(Failure::new(
                Check::TimeLimit,
                format!("test took longer than {TEST_TIME_LIMIT_SECS} seconds"),
            ));
        }
        match liveness {
            // After the heal every server has applied past every acknowledged command.
            Some(bound_ms) => {
                phases.liveness_after_heal(bound_ms).await?;
                phases.check_acknowledged()
            }
            None => Ok(()),
        }
    };
    let handler_world = Rc::clone(&world);
    let stop_world = Rc::clone(&world);
    // A panic in the Raft under test is a finding: caught once around the
    // whole run (catching it per call would cost every step), and named by
    // the node call the world had under way. Any other panic is raftsim's own.
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| {
        sim.run(
            main,
            move |event| {
                let mut world = handler_world.borrow_mut();
                world.handle(event);
                if world.failure.is_some() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
            move || stop_world.borrow().failure.is_some(),
            // The lab's limit, checked above, plus room for the liveness phase.
            Time::from_secs(TEST_TIME_LIMIT_SECS).plus_ms(options.liveness_bound_ms.unwrap_or(0) + 5_000),
            EVENT_LIMIT,
        )
    }));
    let end = match ran {
        Ok(end) => end,
        Err(panic) => {
            blame_node(&world, panic);
            RunEnd::Stopped
        }
    };
    let recorded = world.borrow_mut().failure.take();
    let failed_in_world = recorded.is_some();
    let outcome = match (recorded, end) {
        (Some(failure), _) => Err(failure),
        (None, RunEnd::Finished(result)) => result,
        (None, RunEnd::Stopped) => Err(Failure::new(Check::Driver, "stopped without a reason")),
        (None, RunEnd::Deadlock) => Err(Failure::new(Check::Deadlock, "nothing is scheduled but the test still waits")),
        (None, RunEnd::TimeLimit) => {
            Err(Failure::new(Check::TimeLimit, format!("test took longer than {TEST_TIME_LIMIT_SECS} seconds")))
        }
        (None, RunEnd::EventLimit) => Err(Failure::new(Check::Livelock, format!("more than {EVENT_LIMIT} events"))),
        (None, RunEnd::Livelock) => Err(Failure::new(
            Check::Livelock,
            format!("more than {} events at {} without virtual time advancing", sim::SAME_INSTANT_LIMIT, sim.now()),
        )),
    };
    let outcome = outcome.map_err(|failure| match failure.at {
        Some(_) => failure,
        None => failure.at(sim.now()),
    });
    let tape = options.decide.records().then(|| world.borrow_mut().draws.take_tape());
    let trace = {
        let mut world = world.borrow_mut();
        if let (Err(failure), false) = (&outcome, failed_in_world) {
            // A failure the scenario returned: the trace ends with it too.
            world.record_with(|| TraceEvent::Failed(failure.clone()));
        }
        world.recorder.take().map(|recorder| recorder.events)
    };
    sim.hash_add(sim.now().micros());
    sim.hash_add(sim.events());
    Report {
        seed,
        scripted: matches!(options.decide, Decide::Replay(_) | Decide::ReplayRecord(_)),
        outcome,
        end_time: sim.now(),
        events: sim.events(),
        stats: cluster.stats(),
        warnings: cluster.warnings(),
        trace_hash: sim.hash().value(),
        trace,
        coverage: cluster.coverage(),
        swarm: cluster.swarm(),
        tape,
    }
}

/// A panic caught around the run: the Raft's, if a node call was under way
/// (a finding, recorded as the run's failure); raftsim's own otherwise, and
/// it goes on unwinding.
fn blame_node(world: &RefCell<World>, panic: Box<dyn std::any::Any + Send>) {
    let culprit = world.borrow().in_node;
    let Some((i, call)) = culprit else { std::panic::resume_unwind(panic) };
    world.borrow_mut().node_panicked(i, call, panic.as_ref());
}
