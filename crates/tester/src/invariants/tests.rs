//! Each invariant catches a hand-built violation and lets a valid state pass.

use std::sync::Arc;

use api::{EntryKind, Inspect, LogEntry, LogIndex, NodeId, NodeState as State, Role as RoleKind, Term};
use sim::Time;

use super::Invariants;

/// A node that is only a state and a log: what the invariants read.
#[derive(Clone)]
struct FakeNode {
    state: State,
    /// (term, command) of indexes snapshot_index+1 ..
    log: Vec<(u64, Vec<u8>)>,
    snapshot_term: u64,
}

impl FakeNode {
    fn new(_id: u32, term: u64, role: RoleKind, log: &[(u64, u8)]) -> FakeNode {
        let log: Vec<(u64, Vec<u8>)> = log.iter().map(|&(term, command)| (term, vec![command])).collect();
        let last = log.len() as u64;
        FakeNode {
            state: State {
                term: Term(term),
                role,
                voted_for: None,
                commit_index: LogIndex(0),
                last_applied: LogIndex(0),
                last_log_index: LogIndex(last),
                last_log_term: Term(log.last().map_or(0, |entry| entry.0)),
                snapshot_index: LogIndex(0),
            },
            log,
            snapshot_term: 0,
        }
    }

    fn committed(mut self, index: u64) -> FakeNode {
        self.state.commit_index = LogIndex(index);
        self.state.last_applied = LogIndex(index);
        self
    }

    fn voted(mut self, candidate: u32) -> FakeNode {
        self.state.voted_for = Some(NodeId(candidate));
        self
    }
}

/// Only what the term rule reads (GetState and the inspection); every input is ignored.
impl api::Node for FakeNode {
    fn handle_message(&mut self, _: api::Instant, _: NodeId, _: api::Delivery, _: api::WireMessage) {}
    fn handle_call_failed(&mut self, _: api::Instant, _: NodeId, _: api::CallId) {}
    fn handle_timeout(&mut self, _: api::Instant) {}
    fn start(&mut self, _: api::Instant, _: Vec<u8>) -> Result<api::Started, api::NotLeader> {
        Err(api::NotLeader { term: self.state.term })
    }
    fn snapshot(&mut self, _: api::Instant, _: LogIndex, _: Vec<u8>) {}
    fn poll_output(&mut self) -> Option<api::Output> {
        None
    }
    fn poll_timeout(&self) -> Option<api::Instant> {
        None
    }
    fn get_state(&self) -> (Term, bool) {
        (self.state.term, self.state.role == RoleKind::Leader)
    }
    fn inspect(&self) -> Option<&dyn Inspect> {
        Some(self)
    }
}

impl Inspect for FakeNode {
    fn state(&self) -> State {
        self.state
    }
    fn term_at(&self, index: LogIndex) -> Option<Term> {
        let snapshot = self.state.snapshot_index.0;
        if index.0 == snapshot {
            return Some(Term(self.snapshot_term));
        }
        self.log.get(index.0.checked_sub(snapshot + 1)? as usize).map(|entry| Term(entry.0))
    }
    fn entry(&self, index: LogIndex) -> Option<LogEntry> {
        let snapshot = self.state.snapshot_index.0;
        let (term, command) = self.log.get(index.0.checked_sub(snapshot + 1)? as usize)?;
        Some(LogEntry { term: Term(*term), kind: EntryKind::Command(Arc::from(command.as_slice())) })
    }
}

const F: RoleKind = RoleKind::Follower;
const L: RoleKind = RoleKind::Leader;
const T: Time = Time::ZERO;

fn check(invariants: &mut Invariants, i: usize, node: &FakeNode) -> Result<(), String> {
    step_of(invariants, i, 1, node).map_err(|failure| failure.to_string())
}

/// Server `i` (incarnation `incarnation`) finished a step in `node`'s state.
fn step_of(invariants: &mut Invariants, i: usize, incarnation: u32, node: &FakeNode) -> Result<(), crate::Failure> {
    invariants.after_step(i, incarnation, node, node.state(), T)
}

#[test]
fn election_safety_two_leaders_in_one_term() {
    let mut inv = Invariants::new(3, true);
    check(&mut inv, 0, &FakeNode::new(0, 2, L, &[])).unwrap();
    // Another leader in a later term is fine; the same node again too.
    check(&mut inv, 1, &FakeNode::new(1, 3, L, &[])).unwrap();
    check(&mut inv, 0, &FakeNode::new(0, 2, L, &[])).unwrap();
    let error = check(&mut inv, 2, &FakeNode::new(2, 2, L, &[])).unwrap_err();
    assert!(error.starts_with("Election Safety (§5.2): term 2 has two leaders: n0 and n2"), "{error}");
}

#[test]
fn log_matching_same_index_and_term_different_command() {
    let mut inv = Invariants::new(2, true);
    check(&mut inv, 0, &FakeNode::new(0, 1, F, &[(1, 10), (1, 11)])).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 1, F, &[(1, 10)])).unwrap();
    let error = check(&mut inv, 1, &FakeNode::new(1, 1, F, &[(1, 10), (1, 99)])).unwrap_err();
    assert!(error.contains("Log Matching (§5.3): index 2 term 1 holds different commands on n0 and n1"), "{error}");
}

#[test]
fn log_matching_same_entry_after_different_prefixes() {
    let mut inv = Invariants::new(2, true);
    check(&mut inv, 0, &FakeNode::new(0, 3, F, &[(1, 10), (3, 12)])).unwrap();
    let error = check(&mut inv, 1, &FakeNode::new(1, 3, F, &[(2, 10), (3, 12)])).unwrap_err();
    assert!(error.contains("index 2 term 3 follows term 1 on n0 but term 2 on n1"), "{error}");
}

#[test]
fn log_matching_accepts_a_real_conflict_resolution() {
    // n1's uncommitted term-2 entry is replaced by the leader's term-3 entry: logs may differ, not lie.
    let mut inv = Invariants::new(2, true);
    check(&mut inv, 0, &FakeNode::new(0, 3, F, &[(1, 10), (3, 30)])).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 2, F, &[(1, 10), (2, 20)])).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 3, F, &[(1, 10), (3, 30)])).unwrap();
}

#[test]
fn leader_completeness_new_leader_lacks_a_committed_entry() {
    let mut inv = Invariants::new(3, true);
    check(&mut inv, 0, &FakeNode::new(0, 1, L, &[(1, 10), (1, 11)]).committed(2)).unwrap();
    // A leader of term 2 whose log holds all of it is fine.
    check(&mut inv, 1, &FakeNode::new(1, 2, L, &[(1, 10), (1, 11), (2, 12)])).unwrap();
    let error = check(&mut inv, 2, &FakeNode::new(2, 3, L, &[(1, 10)])).unwrap_err();
    assert!(error.contains("Leader Completeness (§5.4): n2, leader of term 3, holds nothing at index 2"), "{error}");
}

#[test]
fn leader_completeness_entry_committed_after_the_leader_was_checked() {
    // n0 leads term 3 and passes; a stale n1 then commits an entry of term 1
    // that n0 lacks. n0's next step changes nothing of its own, and must still fail.
    let mut inv = Invariants::new(2, true);
    let leader = FakeNode::new(0, 3, L, &[(1, 10)]);
    check(&mut inv, 0, &leader).unwrap();
    check(&mut inv, 0, &leader).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 1, F, &[(1, 10), (1, 11)]).committed(2)).unwrap();
    let error = check(&mut inv, 0, &leader).unwrap_err();
    assert!(error.contains("n0, leader of term 3, holds nothing at index 2"), "{error}");
}

#[test]
fn leader_completeness_checks_a_leader_log_that_changed_below_the_top() {
    // n1 leads term 3 holding the committed entries; its log then loses index 2.
    let mut inv = Invariants::new(2, true);
    check(&mut inv, 0, &FakeNode::new(0, 2, F, &[(1, 10), (2, 20), (2, 21)]).committed(3)).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 3, L, &[(1, 10), (2, 20), (2, 21)])).unwrap();
    let error = check(&mut inv, 1, &FakeNode::new(1, 3, L, &[(1, 10), (3, 30), (3, 31)])).unwrap_err();
    assert!(error.contains("n1, leader of term 3, holds a term-3 entry at index 2"), "{error}");
}

#[test]
fn committed_entries_must_agree() {
    let mut inv = Invariants::new(2, true);
    check(&mut inv, 0, &FakeNode::new(0, 2, F, &[(1, 10), (2, 20)]).committed(2)).unwrap();
    check(&mut inv, 1, &FakeNode::new(1, 3, F, &[(1, 10)]).committed(1)).unwrap();
    let error = check(&mut inv, 1, &FakeNode::new(1, 3, F, &[(1, 10), (3, 30)]).committed(2)).unwrap_err();
    assert!(error.contains("State Machine Safety (§5.4.3): index 2 committed as a term-2 entry by n0"), "{error}");
}

#[test]
fn state_machine_safety_different_commands_applied() {
    let mut inv = Invariants::new(2, true);
    inv.applied_command(0, 1, b"a", T).unwrap();
    inv.applied_command(1, 1, b"a", T).unwrap();
    let error = inv.applied_command(1, 2, b"b", T).and_then(|()| inv.applied_command(0, 2, b"c", T)).unwrap_err();
    assert!(error.to_string().contains("n1 and n0 applied different commands at index 2"), "{error}");
    // A snapshot that disagrees with what was applied is caught too.
    let error = inv.applied_snapshot(1, &[None, Some(&b"z"[..])], T).unwrap_err();
    assert!(error.to_string().contains("at index 1"), "{error}");
}

#[test]
fn monotonic_term_commit_and_vote() {
    let mut inv = Invariants::new(1, true);
    check(&mut inv, 0, &FakeNode::new(0, 5, F, &[(1, 1), (1, 2)]).committed(2).voted(1)).unwrap();
    let error = check(&mut inv, 0, &FakeNode::new(0, 4, F, &[(1, 1), (1, 2)]).committed(2)).unwrap_err();
    assert!(error.contains("n0's term went back from 5 to 4"), "{error}");

    let mut inv = Invariants::new(1, true);
    check(&mut inv, 0, &FakeNode::new(0, 5, F, &[(1, 1), (1, 2)]).committed(2)).unwrap();
    let error = check(&mut inv, 0, &FakeNode::new(0, 5, F, &[(1, 1), (1, 2)]).committed(1)).unwrap_err();
    assert!(error.contains("commit index went back from 2 to 1"), "{error}");
    // A restart (new incarnation) starts commit afresh.
    step_of(&mut inv, 0, 2, &FakeNode::new(0, 5, F, &[(1, 1), (1, 2)])).unwrap();

    let mut inv = Invariants::new(1, true);
    check(&mut inv, 0, &FakeNode::new(0, 5, F, &[]).voted(1)).unwrap();
    // Forgetting the vote after a restart is not yet a double vote...
    step_of(&mut inv, 0, 2, &FakeNode::new(0, 5, F, &[])).unwrap();
    // ...voting for someone else in the same term is.
    let error = step_of(&mut inv, 0, 2, &FakeNode::new(0, 5, F, &[]).voted(2)).unwrap_err();
    assert!(error.to_string().contains("n0 voted twice in term 5: for n1, then for n2"), "{error}");
    // A new term, a new vote.
    step_of(&mut inv, 0, 2, &FakeNode::new(0, 6, F, &[]).voted(2)).unwrap();
}

#[test]
fn term_rule_after_a_higher_term_message() {
    let inv = Invariants::new(1, true);
    let node = FakeNode::new(0, 3, L, &[]);
    inv.after_receive(0, 3, &node, T).unwrap();
    inv.after_receive(0, 2, &node, T).unwrap();
    let error = inv.after_receive(0, 4, &node, T).unwrap_err().to_string();
    assert!(
        error.contains(
            "Term rule (Figure 2, all servers): n0 received a message of term 4 and stayed in term 3 as leader"
        ),
        "{error}"
    );
}

#[test]
fn index_order() {
    let mut inv = Invariants::new(1, true);
    let mut node = FakeNode::new(0, 1, F, &[(1, 1)]);
    node.state.commit_index = LogIndex(2);
    let error = check(&mut inv, 0, &node).unwrap_err();
    assert!(error.contains("Index order"), "{error}");
    assert!(error.contains("commit 2, last log index 1"), "{error}");
}

#[test]
fn disabled_invariants_check_nothing() {
    let mut inv = Invariants::new(3, false);
    check(&mut inv, 0, &FakeNode::new(0, 2, L, &[])).unwrap();
    check(&mut inv, 2, &FakeNode::new(2, 2, L, &[])).unwrap();
}

/// The command identity tells apart what the lab sends: every command of up
/// to 16 bytes that differs in one byte, or in its length alone.
#[test]
fn command_identities_tell_short_commands_apart() {
    let mut seen = std::collections::BTreeMap::new();
    for len in 0..=16usize {
        for at in 0..len.max(1) {
            for byte in [0u8, 1, 0x80, 0xff] {
                let mut command = vec![7u8; len];
                if len > 0 {
                    command[at] = byte;
                }
                let hash = super::command_hash(&command);
                assert_eq!(hash, super::command_hash(&command.clone()), "the same bytes, the same identity");
                if let Some(other) = seen.insert(hash, command.clone()) {
                    assert_eq!(other, command, "two commands share an identity");
                }
            }
        }
    }
    assert!(seen.len() > 200, "{} distinct commands", seen.len());
}

/// A snapshot's commands beyond what anyone applied become the first applied
/// there: a later apply or snapshot must agree with them.
#[test]
fn snapshot_commands_beyond_the_record_are_first_applied() {
    let mut inv = Invariants::new(3, true);
    inv.applied_command(0, 1, b"a", T).unwrap();
    inv.applied_snapshot(1, &[None, Some(&b"a"[..]), Some(&b"b"[..]), Some(&b"c"[..])], T).unwrap();
    inv.applied_command(2, 2, b"b", T).unwrap();
    inv.applied_snapshot(2, &[None, Some(&b"a"[..]), Some(&b"b"[..])], T).unwrap();
    let error = inv.applied_command(0, 3, b"x", T).unwrap_err().to_string();
    assert!(error.contains("n1 and n0 applied different commands at index 3"), "{error}");
    let mut inv = Invariants::new(3, true);
    inv.applied_snapshot(0, &[None, Some(&b"a"[..]), Some(&b"b"[..])], T).unwrap();
    let error = inv.applied_snapshot(1, &[None, Some(&b"a"[..]), Some(&b"q"[..])], T).unwrap_err().to_string();
    assert!(error.contains("n0 and n1 applied different commands at index 2"), "{error}");
}
