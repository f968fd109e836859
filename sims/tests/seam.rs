//! The node seam's promises, checked through Rafts that break them on
//! purpose: each is our core behind a wrapper that misbehaves in one way.
//! A panic or a protocol break is a finding naming the node and what it did
//! (never a harness crash); Figure 2's term rule applies to the messages
//! whose header carries a term; failed calls reach a node that wants them;
//! and the in-process shortcut never changes a run.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use api::{CallId, Delivery, Factory, Inspect, Instant, LogIndex, MakeArgs, Node, NodeId, NotLeader, Output, Started};
use api::{Term, WireMessage};
use tester::{Check, Invariant, Options, Report};

/// What a wrapper does to the node inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Twist {
    /// Panics on the n-th message node 1 handles.
    PanicOnMessage(u64),
    /// Replies once more, to a call that never was, after its first reply.
    ReplyToNoCall,
    /// Sends one message to a server that does not exist.
    SendToStranger,
    /// Puts a term 100 higher in the header of every RequestVote.
    InflateVoteTerm,
    /// Leaves the term out of the header of every RequestVote (as a pre-vote would).
    NoVoteTerm,
    /// Strips the in-process shortcut from every message it sends.
    NoShortcut,
    /// Asks for failed-call reports and counts them.
    CountCallFailures,
    /// Offers no inspection (only GetState).
    NoInspect,
}

struct Twisted {
    inner: Box<dyn Node>,
    twist: Twist,
    me: NodeId,
    handled: u64,
    done: bool,
    failures: Arc<AtomicU64>,
    pending: VecDeque<Output>,
}

impl Twisted {
    fn twist_output(&mut self, output: Output) -> Vec<Output> {
        let reshape = |mut message: WireMessage, twist: Twist| {
            match twist {
                Twist::InflateVoteTerm if message.header.name == "RequestVote" => {
                    message.header.term = message.header.term.map(|term| Term(term.0 + 100));
                }
                Twist::NoVoteTerm if message.header.name == "RequestVote" => message.header.term = None,
                Twist::NoShortcut => message.local = None,
                _ => {}
            }
            message
        };
        match output {
            Output::Call { to, call, message } => {
                let mut outputs = vec![Output::Call { to, call, message: reshape(message, self.twist) }];
                if self.twist == Twist::SendToStranger && !self.done {
                    self.done = true;
                    outputs.push(Output::Send {
                        to: NodeId(99),
                        message: WireMessage::new(api::Header { term: None, name: "Hello" }, vec![1]),
                    });
                }
                outputs
            }
            Output::Reply { to, call, message } => {
                let message = reshape(message, self.twist);
                let mut outputs = vec![Output::Reply { to, call, message: message.clone() }];
                if self.twist == Twist::ReplyToNoCall && !self.done {
                    self.done = true;
                    outputs.push(Output::Reply { to, call: CallId(u64::MAX), message });
                }
                outputs
            }
            other => vec![other],
        }
    }
}

impl Node for Twisted {
    fn handle_message(&mut self, now: Instant, from: NodeId, delivery: Delivery, message: WireMessage) {
        self.handled += 1;
        if let Twist::PanicOnMessage(n) = self.twist {
            assert!(!(self.me == NodeId(1) && self.handled == n), "planted panic on message {n}");
        }
        self.inner.handle_message(now, from, delivery, message);
    }
    fn handle_call_failed(&mut self, now: Instant, to: NodeId, call: CallId) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        self.inner.handle_call_failed(now, to, call);
    }
    fn wants_call_failures(&self) -> bool {
        self.twist == Twist::CountCallFailures
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }
    fn start(&mut self, now: Instant, command: Vec<u8>) -> Result<Started, NotLeader> {
        self.inner.start(now, command)
    }
    fn snapshot(&mut self, now: Instant, index: LogIndex, data: Vec<u8>) {
        self.inner.snapshot(now, index, data);
    }
    fn poll_output(&mut self) -> Option<Output> {
        // One output may become two: keep them in order.
        if self.pending.is_empty() {
            let output = self.inner.poll_output()?;
            let outputs = self.twist_output(output);
            self.pending.extend(outputs);
        }
        self.pending.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout()
    }
    fn get_state(&self) -> (Term, bool) {
        self.inner.get_state()
    }
    fn inspect(&self) -> Option<&dyn Inspect> {
        if self.twist == Twist::NoInspect {
            return None;
        }
        self.inner.inspect()
    }
}

struct TwistedFactory {
    twist: Twist,
    failures: Arc<AtomicU64>,
}

impl Factory for TwistedFactory {
    fn name(&self) -> &str {
        "core-twisted"
    }
    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        let me = args.me;
        let inner = raft::CoreFactory::new().make(args)?;
        Ok(Box::new(Twisted {
            inner,
            twist: self.twist,
            me,
            handled: 0,
            done: false,
            failures: Arc::clone(&self.failures),
            pending: VecDeque::new(),
        }))
    }
}

fn run(test: &str, seed: u64, twist: Twist) -> (Report, u64) {
    let failures = Arc::new(AtomicU64::new(0));
    let factory = Arc::new(TwistedFactory { twist, failures: Arc::clone(&failures) });
    let report = sims::run_test(sims::find(test).expect("a lab test"), seed, &Options::new(factory));
    let count = failures.load(Ordering::Relaxed);
    (report, count)
}

#[test]
fn a_panicking_raft_is_a_finding_naming_the_node_and_the_input() {
    let (report, _) = run("InitialElection2A", 1, Twist::PanicOnMessage(3));
    let failure = report.outcome.expect_err("the planted panic fails the run");
    assert_eq!(failure.check, Check::NodePanic);
    assert_eq!(failure.nodes, vec![1]);
    assert!(failure.reason.starts_with("n1 panicked handling Message("), "{}", failure.reason);
    assert!(failure.reason.ends_with("planted panic on message 3"), "{}", failure.reason);
    assert!(failure.at.is_some());
}

#[test]
fn a_reply_to_no_call_breaks_the_protocol() {
    let (report, _) = run("InitialElection2A", 1, Twist::ReplyToNoCall);
    let failure = report.outcome.expect_err("a reply to no call fails the run");
    assert_eq!(failure.check, Check::Driver);
    assert_eq!(failure.nodes.len(), 1);
    assert!(failure.reason.contains("replied to call #18446744073709551615"), "{}", failure.reason);
    assert!(failure.reason.ends_with("which it never received or already answered"), "{}", failure.reason);
}

#[test]
fn a_message_to_a_stranger_breaks_the_protocol() {
    let (report, _) = run("InitialElection2A", 1, Twist::SendToStranger);
    let failure = report.outcome.expect_err("a send to n99 fails the run");
    assert_eq!(failure.check, Check::Driver);
    assert!(
        failure.reason.contains("sent a message to n99, which is not one of its peers (0..3)"),
        "{}",
        failure.reason
    );
}

#[test]
fn the_term_rule_applies_to_messages_whose_header_carries_a_term() {
    // A header that claims a term the receiver does not adopt breaks Figure 2's rule ...
    let (report, _) = run("InitialElection2A", 1, Twist::InflateVoteTerm);
    let failure = report.outcome.expect_err("the inflated term is not adopted");
    assert_eq!(failure.check, Check::Invariant(Invariant::TermRule));
    // ... while a message whose header carries none (a pre-vote's) is not under the rule.
    let (report, _) = run("InitialElection2A", 1, Twist::NoVoteTerm);
    assert!(report.passed(), "{:?}", report.outcome);
}

#[test]
fn failed_calls_reach_a_node_that_wants_them_and_runs_stay_deterministic() {
    // FailNoAgree2B disconnects three of five servers: calls to them fail.
    let (report, failures) = run("FailNoAgree2B", 3, Twist::CountCallFailures);
    assert!(report.passed(), "{:?}", report.outcome);
    assert!(failures > 10, "only {failures} failed calls reported");
    let (again, failures_again) = run("FailNoAgree2B", 3, Twist::CountCallFailures);
    assert_eq!((again.trace_hash, failures_again), (report.trace_hash, failures));
    // Our core wants none: the same seed then makes fewer events, with the same outcome.
    let plain = sims::run_test(sims::find("FailNoAgree2B").unwrap(), 3, &sims::core_options());
    assert!(plain.passed() && plain.events < report.events);
}

#[test]
fn the_in_process_shortcut_never_changes_a_run() {
    for test in ["InitialElection2A", "Backup2B", "Figure8Unreliable2C", "SnapshotInstallUnreliable2D"] {
        for seed in 0..3 {
            let (stripped, _) = run(test, seed, Twist::NoShortcut);
            let plain = sims::run_test(sims::find(test).unwrap(), seed, &sims::core_options());
            assert_eq!((stripped.trace_hash, stripped.events), (plain.trace_hash, plain.events), "{test} seed {seed}");
        }
    }
}

#[test]
fn a_raft_without_inspection_still_runs_the_lab_checks() {
    for test in ["InitialElection2A", "FailAgree2B", "Persist22C", "SnapshotInstall2D"] {
        let (report, _) = run(test, 2, Twist::NoInspect);
        assert!(report.passed(), "{test}: {:?}", report.outcome);
    }
}
