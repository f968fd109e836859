//! Nodes that break the protocol fail the run — never hang or crash the
//! harness — with a failure naming the node, what was wrong, the last input
//! and the node's stderr tail: bad JSON, an early exit, a hang past the
//! per-step bound, an unknown output, a reply to no call, and more.
//!
//! Each misbehaving node is a small Python script written into a temp dir:
//! it answers `init` correctly, asks for a timeout at 1 ms, and misbehaves
//! on its first timeout.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tester::{Check, Failure};

mod common;

/// A node that answers init, then runs `misbehave` (Python, with `out(obj)` and `line`) on the first timeout.
fn script(name: &str, misbehave: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raftsim-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join(format!("{name}.py"));
    let body = format!(
        r#"import json, sys, time
def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
def done():
    out({{"type": "done", "deadline": 1000, "term": 0, "leader": False}})
    sys.stdout.flush()
sys.stderr.write("{name} node says hello\n")
sys.stderr.flush()
for text in sys.stdin:
    line = json.loads(text)
    if line["type"] == "timeout":
{misbehave}
    done()
"#,
        misbehave = misbehave.lines().map(|l| format!("        {l}\n")).collect::<String>()
    );
    std::fs::write(&path, body).expect("the script");
    path
}

/// Runs InitialElection2A seed 0 over `command` and returns its failure.
fn failure_of(command: &str, bound: Duration) -> Failure {
    let factory = process::ProcessFactory::new(command).expect("a command line").with_step_bound(bound);
    let options = tester::Options::new(std::sync::Arc::new(factory));
    let case = sims::find("InitialElection2A").expect("registered");
    let report = sims::run_test(case, 0, &options);
    report.outcome.expect_err("a broken node must fail the run")
}

fn python(script: &Path) -> String {
    format!("'{}' -S '{}'", common::python3(), script.display())
}

/// The failure names node 0, says `what`, quotes the timeout input and the stderr tail.
fn assert_reported(failure: &Failure, name: &str, what: &str) {
    assert_eq!(failure.nodes, vec![0], "{failure}");
    assert_reported_on_some_node(failure, name, what);
}

/// As [`assert_reported`], where every node misbehaves alike and the first one
/// caught may be any of them (a late line is seen when it has reached the pipe).
fn assert_reported_on_some_node(failure: &Failure, name: &str, what: &str) {
    assert_eq!(failure.check, Check::NodePanic, "{failure}");
    let [node] = failure.nodes[..] else { panic!("one node named: {failure}") };
    let reason = &failure.reason;
    assert!(reason.contains(&format!("protocol error from node n{node}")), "{reason}");
    assert!(reason.contains(what), "expected {what:?} in: {reason}");
    assert!(reason.contains("last input: {\"type\":\"timeout\",\"now\":1000}"), "{reason}");
    assert!(reason.contains(&format!("{name} node says hello")), "the stderr tail: {reason}");
}

const BOUND: Duration = Duration::from_secs(20);

#[test]
fn bad_json_fails_the_run() {
    let path = script("bad_json", "sys.stdout.write('{\"type\": \"done\", oops\\n')");
    assert_reported(&failure_of(&python(&path), BOUND), "bad_json", "malformed JSON");
}

#[test]
fn an_early_exit_fails_the_run_with_its_status_and_stderr() {
    let path = script("early_exit", "sys.stderr.write('giving up\\n')\nsys.exit(3)");
    let failure = failure_of(&python(&path), BOUND);
    assert_reported(&failure, "early_exit", "the node exited (exit status: 3)");
    assert!(failure.reason.contains("giving up"), "{}", failure.reason);
}

#[test]
fn a_hang_past_the_step_bound_fails_the_run() {
    // The bound only detects the hang: this node never answers, however long one waits.
    let path = script("hang", "time.sleep(3600)");
    assert_reported(&failure_of(&python(&path), Duration::from_millis(400)), "hang", "the node hangs");
}

#[test]
fn an_unknown_output_fails_the_run() {
    let path = script("unknown", "out({'type': 'frobnicate'})");
    assert_reported(&failure_of(&python(&path), BOUND), "unknown", "an unknown output type \"frobnicate\"");
}

#[test]
fn a_reply_to_no_call_fails_the_run() {
    let reply = "out({'type': 'reply', 'to': 1, 'call': 99, 'term': 0, 'name': 'Nope', 'bytes': ''})";
    let path = script("stray_reply", reply);
    assert_reported(&failure_of(&python(&path), BOUND), "stray_reply", "a reply to call #99 from n1");
}

#[test]
fn output_after_done_fails_the_run() {
    // Both lines in one write, so that the harness sees the late one for sure.
    let early = "out({'type': 'done', 'deadline': 1000, 'term': 0, 'leader': False})";
    let path = script("chatty", &format!("{early}\nout({{'type': 'note', 'text': 'late'}})"));
    assert_reported_on_some_node(&failure_of(&python(&path), BOUND), "chatty", "output after `done`");
}

#[test]
fn a_log_that_does_not_add_up_fails_the_run() {
    let lie = "out({'type': 'done', 'deadline': None, 'term': 0, 'leader': False, 'inspect': {'role': 'follower', \
               'vote': None, 'commit': 0, 'applied': 0, 'last_index': 5, 'last_term': 1, 'snapshot_index': 0, \
               'snapshot_term': 0}})\nsys.stdout.flush()\ncontinue";
    let path = script("liar", lie);
    assert_reported(&failure_of(&python(&path), BOUND), "liar", "a `done` with `inspect` from a node that did not");
}

#[test]
fn a_missing_program_is_a_restore_failure() {
    let failure = failure_of("/nonexistent/raft-node --flag", BOUND);
    assert_eq!(failure.check, Check::Restore, "{failure}");
    assert!(failure.reason.contains("cannot start `/nonexistent/raft-node`"), "{failure}");
}

#[test]
fn a_bad_command_line_is_a_one_line_error() {
    let error = sims::rafts::process_factory("python3 'unclosed").err().expect("an open quote");
    assert!(error.contains("unclosed '"), "{error}");
}

#[test]
fn a_node_may_decline_call_failures_in_its_answer_to_init() {
    let dir = std::env::temp_dir().join(format!("raftsim-malformed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("no_call_failures.py");
    let body = "import sys\nfor line in sys.stdin:\n    \
                print('{\"type\":\"done\",\"deadline\":null,\"term\":0,\"leader\":false,\"call_failures\":false}', flush=True)\n";
    std::fs::write(&path, body).expect("the script");
    let factory = process::ProcessFactory::new(&python(&path)).expect("a command line");
    let args = api::MakeArgs {
        me: api::NodeId(0),
        peers: 3,
        now: api::Instant(0),
        rng_seed: 1,
        raft_state: Vec::new(),
        snapshot: std::sync::Arc::from(&[][..]),
    };
    let node = api::Factory::make(&factory, args).expect("the node starts");
    assert!(!node.wants_call_failures());
}
