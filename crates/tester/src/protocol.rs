//! The seam's protocol rules that the lab's own checks do not cover (see
//! `api::Node`'s docs), so that a Raft that breaks them gets a failure
//! naming the node, the input it was handling and the rule — never a
//! harness panic or a silent hang:
//! - **applies in order**: within one incarnation, each ApplyMsg command is
//!   at the index after the last one handed to the service (the lab's
//!   applier checks this in snapshot mode only, and its "previous index
//!   present" check misses repeats, regressions and skips over indexes an
//!   earlier incarnation applied); a snapshot never goes backwards;
//! - **every request is answered**: labrpc's handler always returns, so a
//!   request delivered to a node must be answered within [`REPLY_BOUND_MS`]
//!   of virtual time, unless the handler crashed or was disconnected first
//!   (then the caller sees a failed call, as labrpc's `Call()` returns false);
//! - **deadlines are not in the past**: after handling an input at `now`,
//!   the deadline a node gives is at `now` or later (virtual time never goes back).
//!
//! Replies to no call, second replies and messages to non-peers are checked
//! where they happen, in the driver.

use api::{CallId, Instant};
use sim::Time;

use crate::applier::snapshot_index;
use crate::trace::Input;
use crate::{Check, Failure};

/// How long a delivered request may stay unanswered by a live, connected node.
pub const REPLY_BOUND_MS: u64 = 1_000;

/// A request being handled, on its handler's list: (caller, the caller's call id, delivered at).
type Open = (usize, CallId, Time);

/// The protocol's record of every server.
pub(crate) struct Protocol {
    /// Per server: the last index handed to the service in this incarnation.
    applied: Vec<u64>,
    /// Per server: the input being handled, for the failure's words.
    input: Vec<Option<Input>>,
    /// Per handler: the requests delivered and not answered (a handful at
    /// most, so a small vector each: no allocation once it has grown, and a
    /// scan is cheaper than any map). A call id delivered twice (a duplicate)
    /// is one entry, with its latest delivery time.
    open: Vec<Vec<Open>>,
    /// How many entries `open` holds in all: usually none between steps, as
    /// most requests are answered in the step that handles them.
    open_count: usize,
}

fn broken(i: usize, reason: String) -> Failure {
    Failure::new(Check::Driver, reason).node(i)
}

impl Protocol {
    pub fn new(servers: usize) -> Protocol {
        Protocol {
            applied: vec![0; servers],
            input: vec![None; servers],
            open: vec![Vec::new(); servers],
            open_count: 0,
        }
    }

    /// Server `i` is about to handle `input`.
    pub fn handling(&mut self, i: usize, input: Input) {
        self.input[i] = Some(input);
    }

    fn input_text(&self, i: usize) -> String {
        match self.input[i] {
            Some(input) => format!("{input:?}"),
            None => "Make".to_string(),
        }
    }

    /// A new incarnation of server `i` starts from the persisted `snapshot`.
    pub fn restarted(&mut self, i: usize, snapshot: &[u8]) {
        self.applied[i] = snapshot_index(snapshot);
        self.input[i] = None;
    }

    /// Server `i` handed the command at `index` to the service.
    pub fn applied_command(&mut self, i: usize, index: u64) -> Result<(), Failure> {
        let expected = self.applied[i] + 1;
        if index != expected {
            return Err(broken(
                i,
                format!(
                    "n{i} applied index {index} after index {} while handling {}: rule: ApplyMsg commands \
                     come in order, each index once (expected {expected})",
                    self.applied[i],
                    self.input_text(i)
                ),
            ));
        }
        self.applied[i] = index;
        Ok(())
    }

    /// Server `i` handed a snapshot through `index` to the service.
    pub fn applied_snapshot(&mut self, i: usize, index: u64) -> Result<(), Failure> {
        if index < self.applied[i] {
            return Err(broken(
                i,
                format!(
                    "n{i} applied a snapshot through index {index} after index {} while handling {}: rule: \
                     a snapshot never takes the service back",
                    self.applied[i],
                    self.input_text(i)
                ),
            ));
        }
        self.applied[i] = index;
        Ok(())
    }

    /// After server `i` handled an input at `now`, it asked for `deadline`.
    /// A deadline before `now` is a timer already due (as in quinn-proto, it
    /// means "call me at once"): an input of the same instant may come before
    /// the due timeout is delivered. It breaks the rule only right after the
    /// node was handed that timeout: asking again for the past would busy-loop.
    pub fn deadline(&self, i: usize, deadline: Instant, now: Time) -> Result<(), Failure> {
        if deadline.micros() >= now.micros() || !matches!(self.input[i], Some(Input::Timeout)) {
            return Ok(());
        }
        Err(broken(
            i,
            format!(
                "n{i} asked for a deadline at {}us after handling {} at {}us: rule: after a timeout, a deadline is never in the past",
                deadline.micros(),
                self.input_text(i),
                now.micros()
            ),
        ))
    }

    /// Request `call` from `caller` reached `handler` at `now`.
    pub fn delivered(&mut self, handler: usize, caller: usize, call: CallId, now: Time) {
        let open = &mut self.open[handler];
        match open.iter_mut().find(|(from, id, _)| (*from, *id) == (caller, call)) {
            Some(entry) => entry.2 = now,
            None => {
                open.push((caller, call, now));
                self.open_count += 1;
            }
        }
    }

    /// The request was answered, or its call failed (handler crashed or cut off).
    pub fn closed(&mut self, handler: usize, caller: usize, call: CallId) {
        let open = &mut self.open[handler];
        if let Some(at) = open.iter().position(|&(from, id, _)| (from, id) == (caller, call)) {
            remove_in_order(open, at);
            self.open_count -= 1;
        }
    }

    /// The oldest open request, if it is past the bound at `now`.
    pub fn overdue(&self, now: Time) -> Result<(), Failure> {
        if self.open_count == 0 {
            return Ok(());
        }
        let oldest = self
            .open
            .iter()
            .enumerate()
            .flat_map(|(handler, open)| open.iter().map(move |&(caller, call, at)| (at, handler, caller, call)));
        let Some((at, handler, caller, call)) = oldest.min() else { return Ok(()) };
        if now.micros() <= at.micros() + REPLY_BOUND_MS * 1000 {
            return Ok(());
        }
        Err(broken(
            handler,
            format!(
                "n{handler} never answered call {call} from n{caller}, delivered at {}us: rule: every request \
                 delivered to a live, connected node is answered within {REPLY_BOUND_MS} ms",
                at.micros()
            ),
        ))
    }
}

/// `list.remove(at)`, keeping the order; the last element (the usual case: a
/// handful of open calls, answered in order) is popped without a shift, so
/// no `memmove` call is made for nothing.
#[inline]
pub(crate) fn remove_in_order<T>(list: &mut Vec<T>, at: usize) -> T {
    if at + 1 == list.len() {
        list.pop().expect("at is an index of the list")
    } else {
        list.remove(at)
    }
}
