//! The single-threaded executor and run loop: scenario tasks, virtual sleeps,
//! world events, all ordered by (virtual time, insertion sequence).
//!
//! Tasks are never woken by a `Waker`: a task waits only on a [`Sleep`] (a
//! timer entry in the queue names the task) or a [`JoinHandle`] (the finishing
//! task names its waiter). Wakers are therefore no-ops, and the order in which
//! tasks run is a pure function of the run's history.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::task::noop_waker_ref;
use slab::Slab;

use crate::queue::Queue;
use crate::time::set_virtual_now;
use crate::{Time, TraceHash};

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// A task's slot and the generation of the task in it (slots are reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TaskRef {
    slot: usize,
    generation: u64,
}

enum Item<E> {
    Wake(TaskRef),
    Event(E),
}

struct Core<E> {
    now: Time,
    queue: Queue<Item<E>>,
    events: u64,
    hash: TraceHash,
}

/// The executor's own state, shared with join handles (which know no event type).
#[derive(Default)]
struct Exec {
    ready: RefCell<VecDeque<TaskRef>>,
    current: Cell<Option<TaskRef>>,
}

impl Exec {
    fn current_task(&self) -> TaskRef {
        self.current.get().expect("sim futures can only be awaited inside a Sim task")
    }
}

struct Slot {
    generation: u64,
    task: Option<Task>,
}

struct Shared<E> {
    core: RefCell<Core<E>>,
    exec: Rc<Exec>,
    tasks: RefCell<Slab<Slot>>,
    next_generation: Cell<u64>,
}

/// A handle on one simulation: clock, queue, executor and trace hash.
/// Cloning it is cheap; all clones see the same simulation.
pub struct Sim<E> {
    shared: Rc<Shared<E>>,
}

impl<E> Clone for Sim<E> {
    fn clone(&self) -> Self {
        Sim { shared: Rc::clone(&self.shared) }
    }
}

/// Why [`Sim::run`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum RunEnd<T> {
    /// The main task finished with this output.
    Finished(T),
    /// The handler or the stop check asked to stop.
    Stopped,
    /// Nothing is scheduled and the main task is still waiting.
    Deadlock,
    /// The next event lies past the time limit.
    TimeLimit,
    /// More events than the event limit (a livelock).
    EventLimit,
    /// More than [`SAME_INSTANT_LIMIT`] events without virtual time advancing.
    Livelock,
}

/// Events at one virtual instant beyond which a run is stuck (time has stopped).
pub const SAME_INSTANT_LIMIT: u64 = 1_000_000;

impl<E: 'static> Default for Sim<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: 'static> Sim<E> {
    pub fn new() -> Self {
        set_virtual_now(Time::ZERO);
        Sim {
            shared: Rc::new(Shared {
                core: RefCell::new(Core {
                    now: Time::ZERO,
                    queue: Queue::new(),
                    events: 0,
                    hash: TraceHash::default(),
                }),
                exec: Rc::new(Exec::default()),
                tasks: RefCell::new(Slab::new()),
                next_generation: Cell::new(0),
            }),
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.shared.core.borrow().now
    }

    /// Events popped so far.
    pub fn events(&self) -> u64 {
        self.shared.core.borrow().events
    }

    /// The trace hash so far.
    pub fn hash(&self) -> TraceHash {
        self.shared.core.borrow().hash
    }

    /// Folds a word of world history into the trace hash.
    pub fn hash_add(&self, word: u64) {
        self.shared.core.borrow_mut().hash.add(word);
    }

    /// Folds a byte string of world history into the trace hash.
    pub fn hash_bytes(&self, bytes: &[u8]) {
        self.shared.core.borrow_mut().hash.add_bytes(bytes);
    }

    /// Schedules a world event at `time` (not earlier than now).
    pub fn schedule(&self, time: Time, event: E) {
        let mut core = self.shared.core.borrow_mut();
        let time = time.max(core.now);
        core.queue.push(time, Item::Event(event));
    }

    /// A future that completes `span_ms` milliseconds of virtual time from now.
    pub fn sleep_ms(&self, span_ms: u64) -> Sleep<E> {
        self.sleep_us(span_ms.saturating_mul(1000))
    }

    /// A future that completes `span_us` microseconds of virtual time from now.
    pub fn sleep_us(&self, span_us: u64) -> Sleep<E> {
        let deadline = self.now().plus_us(span_us);
        Sleep { sim: self.clone(), deadline, registered: false }
    }

    /// Lets every other task that is ready at this instant run first.
    pub fn yield_now(&self) -> Sleep<E> {
        Sleep { sim: self.clone(), deadline: self.now(), registered: false }
    }

    /// Starts a concurrent task (a test "goroutine").
    pub fn spawn<T: 'static>(&self, future: impl Future<Output = T> + 'static) -> JoinHandle<T> {
        let state = Rc::new(RefCell::new(JoinState { output: None, waiter: None }));
        let task_state = Rc::clone(&state);
        let exec = Rc::clone(&self.shared.exec);
        let task = async move {
            let output = future.await;
            let waiter = {
                let mut state = task_state.borrow_mut();
                state.output = Some(output);
                state.waiter.take()
            };
            if let Some(waiter) = waiter {
                exec.ready.borrow_mut().push_back(waiter);
            }
        };
        let generation = self.shared.next_generation.get();
        self.shared.next_generation.set(generation + 1);
        let slot = self.shared.tasks.borrow_mut().insert(Slot { generation, task: Some(Box::pin(task)) });
        self.shared.exec.ready.borrow_mut().push_back(TaskRef { slot, generation });
        JoinHandle { exec: Rc::clone(&self.shared.exec), state }
    }

    /// Polls one task, and drops it if it finished.
    fn poll_task(&self, task: TaskRef) {
        let taken = {
            let mut tasks = self.shared.tasks.borrow_mut();
            match tasks.get_mut(task.slot) {
                Some(slot) if slot.generation == task.generation => slot.task.take(),
                _ => None,
            }
        };
        // A task already finished, or one woken twice in a row, has nothing to poll.
        let Some(mut future) = taken else { return };
        self.shared.exec.current.set(Some(task));
        let mut context = Context::from_waker(noop_waker_ref());
        let done = future.as_mut().poll(&mut context).is_ready();
        self.shared.exec.current.set(None);
        let mut tasks = self.shared.tasks.borrow_mut();
        if done {
            tasks.remove(task.slot);
        } else {
            tasks[task.slot].task = Some(future);
        }
    }

    /// Runs `main` to completion in virtual time.
    ///
    /// World events go to `handle` in (time, seq) order; returning `Break`
    /// stops the run. `stop` is asked after every event and after the ready
    /// tasks have run. The run also ends when nothing is left to do
    /// (deadlock), when the next item lies past `time_limit`, or after
    /// `event_limit` events.
    pub fn run<T: 'static>(
        &self,
        main: impl Future<Output = T> + 'static,
        mut handle: impl FnMut(E) -> ControlFlow<()>,
        stop: impl Fn() -> bool,
        time_limit: Time,
        event_limit: u64,
    ) -> RunEnd<T> {
        let main = self.spawn(main);
        let mut at_this_instant = 0u64;
        loop {
            loop {
                let next = self.shared.exec.ready.borrow_mut().pop_front();
                let Some(task) = next else { break };
                self.poll_task(task);
                if let Some(output) = main.state.borrow_mut().output.take() {
                    return RunEnd::Finished(output);
                }
                if stop() {
                    return RunEnd::Stopped;
                }
            }
            let item = {
                let mut core = self.shared.core.borrow_mut();
                let Some((time, item)) = core.queue.pop() else {
                    return RunEnd::Deadlock;
                };
                if time > time_limit {
                    core.now = time_limit;
                    set_virtual_now(time_limit);
                    return RunEnd::TimeLimit;
                }
                if core.events >= event_limit {
                    return RunEnd::EventLimit;
                }
                core.events += 1;
                if time != core.now {
                    core.now = time;
                    set_virtual_now(time);
                    at_this_instant = 0;
                }
                at_this_instant += 1;
                if at_this_instant > SAME_INSTANT_LIMIT {
                    return RunEnd::Livelock;
                }
                match item {
                    Item::Wake(task) => {
                        self.shared.exec.ready.borrow_mut().push_back(task);
                        None
                    }
                    Item::Event(event) => Some(event),
                }
            };
            if let Some(event) = item {
                if handle(event).is_break() || stop() {
                    return RunEnd::Stopped;
                }
            }
        }
    }
}

/// Completes at a virtual deadline. Created by [`Sim::sleep_ms`].
pub struct Sleep<E> {
    sim: Sim<E>,
    deadline: Time,
    registered: bool,
}

impl<E: 'static> Future for Sleep<E> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.registered && self.sim.now() >= self.deadline {
            return Poll::Ready(());
        }
        if !self.registered {
            let task = self.sim.shared.exec.current_task();
            let deadline = self.deadline;
            let mut core = self.sim.shared.core.borrow_mut();
            let at = deadline.max(core.now);
            core.queue.push(at, Item::Wake(task));
            drop(core);
            self.registered = true;
        }
        Poll::Pending
    }
}

struct JoinState<T> {
    output: Option<T>,
    waiter: Option<TaskRef>,
}

/// The output of a spawned task, awaitable from another task.
pub struct JoinHandle<T> {
    exec: Rc<Exec>,
    state: Rc<RefCell<JoinState<T>>>,
}

impl<T> JoinHandle<T> {
    /// True once the task has finished (its output not yet taken).
    pub fn is_finished(&self) -> bool {
        self.state.borrow().output.is_some()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        let mut state = self.state.borrow_mut();
        match state.output.take() {
            Some(output) => Poll::Ready(output),
            None => {
                state.waiter = Some(self.exec.current_task());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_to_end<T: 'static>(sim: &Sim<u32>, main: impl Future<Output = T> + 'static) -> RunEnd<T> {
        sim.run(main, |_| ControlFlow::Continue(()), || false, Time::from_secs(1000), u64::MAX)
    }

    #[test]
    fn sleep_advances_virtual_time_only() {
        let sim = Sim::<u32>::new();
        let inner = sim.clone();
        let end = run_to_end(&sim, async move {
            inner.sleep_ms(450).await;
            inner.now()
        });
        assert_eq!(end, RunEnd::Finished(Time::from_millis(450)));
    }

    #[test]
    fn spawned_tasks_interleave_by_virtual_time() {
        let sim = Sim::<u32>::new();
        let inner = sim.clone();
        let log = Rc::new(RefCell::new(Vec::new()));
        let main_log = Rc::clone(&log);
        let end = run_to_end(&sim, async move {
            let mut handles = Vec::new();
            for (name, delay_ms) in [("a", 30u64), ("b", 10), ("c", 20), ("d", 10)] {
                let (sim, log) = (inner.clone(), Rc::clone(&main_log));
                handles.push(inner.spawn(async move {
                    sim.sleep_ms(delay_ms).await;
                    log.borrow_mut().push((name, sim.now().millis()));
                    delay_ms
                }));
            }
            let mut total = 0;
            for handle in handles {
                total += handle.await;
            }
            total
        });
        assert_eq!(end, RunEnd::Finished(70));
        // Equal deadlines run in the order they were registered.
        assert_eq!(*log.borrow(), [("b", 10), ("d", 10), ("c", 20), ("a", 30)]);
    }

    #[test]
    fn world_events_interleave_with_tasks() {
        let sim = Sim::<u32>::new();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let (inner, handler_seen, handler_sim) = (sim.clone(), Rc::clone(&seen), sim.clone());
        sim.schedule(Time::from_millis(5), 1);
        sim.schedule(Time::from_millis(15), 2);
        let end = sim.run(
            async move {
                inner.sleep_ms(10).await;
                inner.now().millis()
            },
            move |event| {
                handler_seen.borrow_mut().push((event, handler_sim.now().millis()));
                ControlFlow::Continue(())
            },
            || false,
            Time::from_secs(1),
            u64::MAX,
        );
        assert_eq!(end, RunEnd::Finished(10));
        // The event at 15 ms never ran: the main task ended first.
        assert_eq!(*seen.borrow(), [(1, 5)]);
    }

    #[test]
    fn deadlock_time_limit_and_stop_are_reported() {
        let sim = Sim::<u32>::new();
        let end = run_to_end(&sim, futures::future::pending::<()>());
        assert_eq!(end, RunEnd::Deadlock);

        let sim = Sim::<u32>::new();
        let inner = sim.clone();
        let end = sim.run(
            async move { inner.sleep_ms(5000).await },
            |_| ControlFlow::Continue(()),
            || false,
            Time::from_secs(1),
            u64::MAX,
        );
        assert_eq!(end, RunEnd::TimeLimit);

        let sim = Sim::<u32>::new();
        sim.schedule(Time::from_millis(1), 9);
        let inner = sim.clone();
        let end = sim.run(
            async move { inner.sleep_ms(5).await },
            |event| {
                if event == 9 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
            || false,
            Time::from_secs(1),
            u64::MAX,
        );
        assert_eq!(end, RunEnd::Stopped);
    }

    #[test]
    fn time_standing_still_is_a_livelock() {
        let sim = Sim::<u32>::new();
        sim.schedule(Time::from_millis(3), 0);
        let (inner, handler_sim) = (sim.clone(), sim.clone());
        let end = sim.run(
            async move { inner.sleep_ms(10).await },
            move |event| {
                // Every event schedules another at the same instant.
                handler_sim.schedule(handler_sim.now(), event + 1);
                ControlFlow::Continue(())
            },
            || false,
            Time::from_secs(1),
            u64::MAX,
        );
        assert_eq!(end, RunEnd::Livelock);
        assert_eq!(sim.now(), Time::from_millis(3));
    }

    #[test]
    fn same_program_same_hash() {
        let hash_of = || {
            let sim = Sim::<u32>::new();
            let inner = sim.clone();
            let _ = run_to_end(&sim, async move {
                for i in 0..10 {
                    let sim = inner.clone();
                    inner.spawn(async move {
                        sim.sleep_ms(i % 3).await;
                        sim.hash_add(i);
                    });
                }
                inner.sleep_ms(10).await;
            });
            sim.hash().value()
        };
        assert_eq!(hash_of(), hash_of());
    }
}
