//! A Raft that breaks the seam's protocol gets a failure naming the node,
//! the input and the rule (crates/tester/src/protocol.rs), never a harness
//! panic: deliberately broken test-only nodes, one rule each.

use std::collections::VecDeque;
use std::sync::Arc;

use api::{
    Apply, CallId, Delivery, Factory, Header, Instant, LogIndex, MakeArgs, Node, NodeId, NotLeader, Output, Started,
    Term, WireMessage,
};
use tester::{Check, Failure, Options, Setup, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Breakage {
    /// Applies index 1 twice.
    RepeatsAnApply,
    /// Applies 1 and 2; a restarted incarnation then starts at 2.
    SkipsAfterRestart,
    /// n0 calls n1, which never answers.
    NeverAnswers,
    /// Asks for a deadline before the time it was told.
    DeadlineInThePast,
}

struct Broken {
    breakage: Breakage,
    me: NodeId,
    peers: u32,
    restarted: bool,
    deadline: Instant,
    timeouts: u64,
    outputs: VecDeque<Output>,
}

fn command(index: u64) -> Output {
    let command: Arc<[u8]> = Arc::from(Value::Int(index as i64).encode());
    Output::Apply(Apply::Command { index: LogIndex(index), term: Term(1), command })
}

impl Node for Broken {
    fn handle_message(&mut self, _now: Instant, _from: NodeId, _delivery: Delivery, _message: WireMessage) {}

    fn handle_call_failed(&mut self, _now: Instant, _to: NodeId, _call: CallId) {}

    fn handle_timeout(&mut self, now: Instant) {
        self.timeouts += 1;
        self.deadline = now.plus_us(100_000);
        let first = self.timeouts == 1;
        match self.breakage {
            Breakage::RepeatsAnApply if first && self.me.0 == 0 => {
                self.outputs.extend([command(1), command(1)]);
            }
            Breakage::SkipsAfterRestart if first && self.me.0 == 0 => match self.restarted {
                false => self.outputs.extend([command(1), command(2)]),
                true => self.outputs.push_back(command(2)),
            },
            Breakage::NeverAnswers if first && self.me.0 == 0 => {
                let to = NodeId((self.me.0 + 1) % self.peers);
                let message = WireMessage::new(Header { term: None, name: "Ping" }, vec![1]);
                self.outputs.push_back(Output::Call { to, call: CallId(7), message });
            }
            Breakage::DeadlineInThePast if self.me.0 == 1 => self.deadline = Instant(now.micros() - 1),
            _ => {}
        }
    }

    fn start(&mut self, _now: Instant, _command: Vec<u8>) -> Result<Started, NotLeader> {
        Err(NotLeader { term: Term(0) })
    }

    fn snapshot(&mut self, _now: Instant, _index: LogIndex, _data: Vec<u8>) {}

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Some(self.deadline)
    }

    fn get_state(&self) -> (Term, bool) {
        (Term(0), false)
    }
}

struct BrokenFactory(Breakage);

impl Factory for BrokenFactory {
    fn name(&self) -> &str {
        "broken"
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        Ok(Box::new(Broken {
            breakage: self.0,
            me: args.me,
            peers: args.peers,
            restarted: !args.raft_state.is_empty() || args.now.micros() > 0,
            deadline: args.now.plus_us(100_000),
            timeouts: 0,
            outputs: VecDeque::new(),
        }))
    }
}

/// Runs three broken nodes for a few seconds (crashing and restarting n0 once) and returns the failure.
fn failure_of(breakage: Breakage) -> Failure {
    let mut options = Options::new(Arc::new(BrokenFactory(breakage)));
    options.liveness_bound_ms = None;
    let setup = Setup { servers: 3, unreliable: false, snapshot: false };
    let report = tester::run(1, setup, &options, |cluster| async move {
        cluster.sleep_ms(2_000).await;
        cluster.start1(0);
        cluster.connect(0);
        cluster.sleep_ms(3_000).await;
        Ok(())
    });
    report.outcome.expect_err("a broken node fails the run")
}

fn assert_names(failure: &Failure, node: u32, words: &[&str]) {
    assert_eq!(failure.check, Check::Driver, "{failure}");
    assert_eq!(failure.nodes, vec![node], "{failure}");
    for word in words {
        assert!(failure.reason.contains(word), "'{word}' missing from: {failure}");
    }
}

#[test]
fn an_apply_repeated_names_the_node_the_input_and_the_rule() {
    let failure = failure_of(Breakage::RepeatsAnApply);
    assert_names(&failure, 0, &["n0 applied index 1 after index 1", "handling Timeout", "come in order"]);
}

#[test]
fn an_apply_skipped_after_a_restart_is_caught_though_the_lab_s_check_misses_it() {
    let failure = failure_of(Breakage::SkipsAfterRestart);
    assert_names(&failure, 0, &["n0 applied index 2 after index 0", "handling Timeout", "expected 1"]);
}

#[test]
fn a_request_never_answered_fails_after_the_bound() {
    let failure = failure_of(Breakage::NeverAnswers);
    assert_names(&failure, 1, &["n1 never answered call #7 from n0", "within 1000 ms"]);
    let at = failure.at.expect("a time").micros();
    assert!(at > tester::REPLY_BOUND_MS * 1000, "failed at {at}us, before the bound");
}

#[test]
fn a_deadline_in_the_past_names_the_node_and_the_input() {
    let failure = failure_of(Breakage::DeadlineInThePast);
    assert_names(
        &failure,
        1,
        &["n1 asked for a deadline at", "after handling Timeout", "after a timeout, a deadline is never in the past"],
    );
}
