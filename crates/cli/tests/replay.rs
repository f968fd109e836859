//! `raftsim replay` as a process: readable lines and columns that replay
//! byte for byte, filters, colors, JSON lines, the outcome as the last lines.

mod common;

#[path = "../../harness/tests/checker/mod.rs"]
mod checker;

use common::{assert_usage_error, raftsim, stderr, stdout};

#[test]
fn two_replays_of_a_seed_are_byte_identical_in_lines_and_columns() {
    for extra in [&[][..], &["--columns"], &["--columns", "--width", "90"], &["--format", "json"]] {
        let args: Vec<&str> = ["replay", "ReElection2A", "--seed", "3"].iter().chain(extra).copied().collect();
        let first = raftsim(&args);
        let second = raftsim(&args);
        assert_eq!(first.status.code(), Some(0), "{args:?}: {}", stderr(&first));
        assert!(first.stdout.len() > 5_000, "{args:?}: every event");
        assert!(first.stdout == second.stdout, "{args:?}: two replays differ");
    }
}

#[test]
fn lines_show_time_node_term_role_and_what_happened() {
    let text = stdout(&raftsim(&["replay", "ReElection2A", "--seed", "3"]));
    assert!(text.lines().any(|line| line.contains(" t1 candidate timeout: stood for election, term 0→1")), "{text}");
    assert!(text.lines().any(|line| line.contains(": term 0→1, voted for n")), "{text}");
    assert!(text.lines().any(|line| line.contains(" leader    recv #") && line.ends_with(": became leader")));
    assert!(text.lines().any(|line| line.contains(" lost #") && line.contains("why=end disabled")));
    assert!(text.lines().any(|line| line.contains(" send #") && line.contains("  AppendEntries(t")));
    assert!(text.lines().any(|line| line.contains(" recv #") && line.contains("  AppendReply(t")));
    assert!(text.lines().any(|line| line.contains("-- begin Test (2A): election after network failure")));
    let last = text.lines().last().unwrap();
    assert!(last.starts_with("--- PASS: ReElection2A (seed 3) at "), "{last}");
    assert!(!text.contains('\x1b'), "no colors off a terminal");
}

#[test]
fn columns_put_each_node_in_its_own_column() {
    let text = stdout(&raftsim(&["replay", "ManyElections2A", "--seed", "1", "--columns", "--width", "200"]));
    let header = text.lines().next().unwrap();
    let names: Vec<&str> = header.split('│').skip(1).map(str::trim).collect();
    assert_eq!(names, vec!["n0", "n1", "n2", "n3", "n4", "n5", "n6"]);
    // A step's cell leads with the term and the role's letter: `t1 L recv #9: became` (wrapped).
    let won = |cell: &str| {
        let cell = cell.trim();
        cell.starts_with('t') && cell.split(' ').nth(1) == Some("L") && cell.contains(" recv #")
    };
    let leader = text.lines().find(|line| line.split('│').any(won)).unwrap_or_else(|| panic!("{text}"));
    let column = leader.split('│').position(won).unwrap();
    assert!(column >= 2, "in a node's column: {leader}");
    assert!(text.contains("became"), "{text}");
    let only = stdout(&raftsim(&["replay", "ManyElections2A", "--seed", "1", "--columns", "--nodes", "0,2"]));
    let names: Vec<&str> = only.lines().next().unwrap().split('│').skip(1).map(str::trim).collect();
    assert_eq!(names, vec!["n0", "n2"]);
}

#[test]
fn colors_only_when_asked_or_on_a_terminal() {
    let always = stdout(&raftsim(&["replay", "InitialElection2A", "--seed", "1", "--color", "always"]));
    assert!(always.contains("\x1b[1;32mt1 leader    became leader\x1b[0m") || always.contains("became leader\x1b[0m"));
    let columns = stdout(&raftsim(&["replay", "InitialElection2A", "--seed", "1", "--columns", "--color", "always"]));
    assert!(columns.contains('\x1b'));
    for choice in ["never", "auto"] {
        let plain = stdout(&raftsim(&["replay", "InitialElection2A", "--seed", "1", "--color", choice]));
        assert!(!plain.contains('\x1b'), "--color {choice} off a terminal");
    }
}

#[test]
fn filters_pick_nodes_topics_and_a_time_window() {
    let events = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["replay", "ReElection2A", "--seed", "3"];
        all.extend_from_slice(args);
        let output = raftsim(&all);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stderr(&output));
        stdout(&output).lines().filter(|line| !line.starts_with("--- ")).map(str::to_string).collect()
    };
    let node1 = events(&["--nodes", "1"]);
    assert!(!node1.is_empty());
    assert!(node1.iter().all(|line| line[16..].starts_with("n1 ") || line[16..].starts_with("-- ")), "{node1:?}");
    let votes = events(&["--topics", "vote"]);
    assert!(
        votes.iter().all(|line| line.contains("Vote")
            || line.contains("vote")
            || line.contains("leader")
            || line.contains("election")),
        "{votes:?}"
    );
    assert!(votes.iter().any(|line| line.contains("RequestVote")));
    let window = events(&["--from", "1s", "--until", "1500ms"]);
    assert!(!window.is_empty());
    for line in &window {
        let seconds: f64 = line.split_whitespace().next().unwrap().trim_end_matches('s').parse().unwrap();
        assert!((1.0..=1.5).contains(&seconds), "{line}");
    }
    let drops = events(&["--topics", "drop"]);
    assert!(!drops.is_empty() && drops.iter().all(|line| line.contains(" lost #")), "{drops:?}");
}

#[test]
fn json_lines_carry_the_same_events_and_end_with_the_outcome() {
    let json = stdout(&raftsim(&["replay", "ReElection2A", "--seed", "3", "--format", "json"]));
    let text = stdout(&raftsim(&["replay", "ReElection2A", "--seed", "3"]));
    let values: Vec<serde_json::Value> = json.lines().map(|line| serde_json::from_str(line).expect("JSON")).collect();
    // Every event, the quiet steps the lines skip included, then the outcome.
    assert!(values.len() > text.lines().count(), "one object per event, then the outcome");
    let sends = values.iter().filter(|value| value["event"] == "sent").count();
    assert_eq!(sends, text.lines().filter(|line| line.contains(" send #")).count(), "one per send line");
    let send = values.iter().find(|value| value["event"] == "sent").unwrap();
    assert!(send["from"].is_u64() && send["to"].is_u64() && send["id"].is_u64() && send["time_us"].is_u64());
    assert!(send["summary"].as_str().unwrap().starts_with("RequestVote(t1"), "{send}");
    assert_eq!(send["kind"], "request");
    assert_eq!(send["term"], 1);
    let lost = values.iter().find(|value| value["event"] == "lost").unwrap();
    assert_eq!(lost["reason"], "end disabled");
    let step = values.iter().find(|value| value["event"] == "step").unwrap();
    assert!(step["before"]["term"].is_u64() && step["after"]["role"].is_string(), "{step}");
    let outcome = values.last().unwrap();
    assert_eq!(outcome["event"], "outcome");
    assert_eq!(outcome["outcome"], "pass");
    assert_eq!(outcome["test"], "ReElection2A");
}

#[test]
fn the_outside_checker_reads_what_the_binary_prints() {
    let output = raftsim(&["replay", "SnapshotInstallCrash2D", "--seed", "1", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout(&output);
    let verdict = checker::check(&json);
    assert!(verdict.violations.is_empty(), "{:?}", verdict.violations);
    assert!(verdict.seen["log_changed"] > 10 && verdict.seen["restored"] > 3, "{:?}", verdict.seen);
    let library = checker::replay_json("SnapshotInstallCrash2D", 1, &sims::core_options(), None);
    assert!(json == library, "the binary prints what the library writes");
}

#[cfg(feature = "planted-bugs")]
#[test]
fn a_failing_replay_ends_with_the_check_and_reason_and_exits_100() {
    for extra in [&[][..], &["--columns"], &["--topics", "vote", "--nodes", "0"]] {
        let mut args = vec!["replay", "InitialElection2A", "--seed", "0", "--bug", "fixed-election-timeout"];
        args.extend_from_slice(extra);
        let output = raftsim(&args);
        assert_eq!(output.status.code(), Some(100), "{args:?}");
        let text = stdout(&output);
        let last: Vec<&str> = text.lines().rev().take(3).collect();
        assert_eq!(last[0], "reason: expected one leader, got none", "{args:?}");
        assert_eq!(last[1], "check:  checkOneLeader");
        assert!(last[2].starts_with("--- FAIL: InitialElection2A (seed 0) at 5.001000s"), "{}", last[2]);
    }
}

#[test]
fn bad_replay_options_are_usage_errors() {
    let base = ["replay", "InitialElection2A", "--seed", "1"];
    for (extra, why) in [
        (&["--nodes", "3"][..], "no node 3 in --nodes: this test has 3 servers"),
        (&["--nodes", "x"], "bad node 'x'"),
        (&["--topics", "votes"], "unknown topic 'votes'"),
        (&["--from", "soon"], "--from: bad virtual time 'soon'"),
        (&["--until", "-1s"], "--until: bad virtual time"),
        (&["--from", "2s", "--until", "1s"], "--until (1s) is before --from (2s)"),
        (&["--color", "sometimes"], "invalid value 'sometimes' for '--color <COLOR>'"),
        (&["--columns", "--format", "json"], "cannot be used with"),
        (&["--format", "yaml"], "invalid value 'yaml'"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        assert_usage_error(&args, why);
    }
}
