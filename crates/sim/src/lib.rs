//! The deterministic runtime that every raftsim run stands on.
//!
//! One simulation is one thread, one virtual clock and one event queue ordered
//! by (virtual time, insertion sequence). Scenario code is `async` and runs on
//! a tiny single-threaded executor whose only way to wait is virtual time
//! ([`Sim::sleep`]) or another task ([`JoinHandle`]). Randomness comes from
//! [`Rng`] streams derived from the run's one seed (drawn through a
//! [`Source`], which can record a run's decisions or replay written ones), and every run folds what
//! happened into a [`TraceHash`], so two runs of one seed can be compared by a
//! single number.
//!
//! Driving manual:
//! 1. `let sim = Sim::<MyEvent>::new();`
//! 2. world code schedules its own events with [`Sim::schedule`];
//! 3. [`Sim::run`] polls the main task, pops events in order, hands world
//!    events to the handler and wakes sleeping tasks, until the main task ends,
//!    the handler or the stop check says stop, the queue runs dry, or the time
//!    limit passes.

mod executor;
mod hash;
mod queue;
mod rng;
mod tape;
mod time;

pub use executor::{JoinHandle, RunEnd, Sim, Sleep, SAME_INSTANT_LIMIT};
pub use hash::TraceHash;
pub use rng::Rng;
pub use tape::{Bound, Decisions, Entry, Site, Source};
pub use time::{virtual_now, Time};
