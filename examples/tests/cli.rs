//! `student-raftsim`, the five-line main over the example Raft
//! (src/bin/student-raftsim.rs), used the way a student would: list the
//! Rafts, sweep 2A and 2B, check determinism, find a failing seed (the
//! example has no snapshots, so 2D fails), run the printed replay command and
//! see the same failure, keep it in a regression file, and merge shards.
//! Every assertion is on what the binary prints and its exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_student-raftsim");

fn student(args: &[&str]) -> Output {
    student_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn student_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(dir).env_remove("RAFTSIM_RAFT").output().expect("student-raftsim runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("student-raftsim-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The replay commands a report printed, as words.
fn replay_commands(text: &str) -> Vec<Vec<String>> {
    let commands = text.lines().filter_map(|line| line.trim().strip_prefix("replay: "));
    commands.map(|command| command.split_whitespace().map(str::to_string).collect()).collect()
}

/// A test's passed and failed counts in a sweep's or report's table.
fn passed_failed<'a>(text: &'a str, test: &str) -> (&'a str, &'a str) {
    let row =
        text.lines().map(|line| line.split_whitespace().collect::<Vec<_>>()).find(|words| words.first() == Some(&test));
    let row = row.unwrap_or_else(|| panic!("no row for {test}"));
    (row[1], row[2])
}

/// The trace hash of a `run` or `replay` closing line (`... trace 42ffd36dfda6d5b1 ...`).
fn trace_hash(text: &str) -> String {
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ')' || c == ',').collect();
    let at = words.iter().rposition(|word| *word == "trace").unwrap_or_else(|| panic!("no trace hash in: {text}"));
    words[at + 1].to_string()
}

#[test]
fn list_rafts_shows_the_example_first_as_the_default_and_the_built_ins_after() {
    let output = student(&["list", "--rafts"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("example "), "{text}");
    assert!(first.ends_with("registered by student-raftsim (the default)"), "{text}");
    assert!(text.lines().any(|line| line.starts_with("core ")), "{text}");
    assert!(text.contains("raft-rs-prevote-cq"), "{text}");
}

#[test]
fn a_sweep_of_2a_and_2b_passes_and_its_json_lines_name_the_example() {
    let dir = scratch("sweep");
    let json = dir.join("runs.jsonl");
    let args = ["sweep", "2A,2B", "--seeds", "20", "--jobs", "2", "--json", json.to_str().unwrap()];
    let output = student(&args);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.starts_with("sweeping 13 test(s) × 20 seeds (0..19) on 2 worker(s), Raft example: "), "{text}");
    assert_eq!(passed_failed(&text, "InitialElection2A"), ("20", "0"), "{text}");
    assert_eq!(passed_failed(&text, "Backup2B"), ("20", "0"), "{text}");
    assert!(text.ends_with(" passed, 0 failed\n"), "{text}");
    let lines = std::fs::read_to_string(&json).expect("the JSON lines");
    let mut lines = lines.lines();
    let header = lines.next().expect("a header line");
    assert!(header.contains(r#""raft":"example""#), "{header}");
    let runs: Vec<&str> = lines.collect();
    assert!(runs.len() >= 260, "{} run lines", runs.len());
    assert!(runs.iter().all(|run| run.contains(r#""outcome":"pass""#)), "every run passed");
}

#[test]
fn every_seed_run_twice_gives_one_trace() {
    let output = student(&["sweep", "2A,2B", "--seeds", "5", "--jobs", "2", "--check-determinism"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.contains("each seed twice (--check-determinism)"), "{text}");
    assert!(text.ends_with(" passed, 0 failed\n"), "{text}");
}

#[test]
fn a_passing_seed_replays_in_columns_with_the_trace_of_its_run() {
    let run = student(&["run", "ReElection2A", "--seed", "3"]);
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let run_text = stdout(&run);
    assert!(run_text.contains(&format!("replay: {BIN} replay ReElection2A --seed 3 --raft example")), "{run_text}");
    let replay = student(&["replay", "ReElection2A", "--seed", "3", "--columns", "--color", "never"]);
    let text = stdout(&replay);
    assert_eq!(replay.status.code(), Some(0), "{text}");
    assert!(text.contains("│ n0") && text.contains("│ n2"), "columns: {text}");
    assert!(text.contains("--- PASS: ReElection2A (seed 3)"), "{text}");
    assert_eq!(trace_hash(&text), trace_hash(&run_text), "replay and run of seed 3 are one run");
}

/// The hunt for a user's Raft: round-robin until a seed fails, then run the
/// replay command the sweep printed, which names this binary and the Raft.
#[test]
fn until_fail_finds_a_failing_seed_and_its_printed_replay_command_reproduces_it() {
    let output = student(&["sweep", "2D", "--until-fail", "--jobs", "2"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(100), "{text}{}", stderr(&output));
    let first =
        text.lines().find_map(|line| line.strip_prefix("first failure (--until-fail): ")).expect("a first failure");
    let (test, seed) = first.split_once(" seed ").expect("TEST seed N");
    let closing = format!("--- FAIL: {test} (seed {seed})");
    let sweep_hash = trace_hash(text.lines().find(|line| line.starts_with(&closing)).expect("the tail's closing line"));
    assert!(text.contains("diagnosis ("), "{text}");

    let commands = replay_commands(&text);
    let command = commands
        .iter()
        .find(|words| words[2] == test && words[4] == seed)
        .unwrap_or_else(|| panic!("a replay command for {test} seed {seed} in: {text}"));
    assert_eq!(command[0], BIN, "the command runs this binary again");
    assert_eq!(command[1..], ["replay", test, "--seed", seed, "--raft", "example"].map(String::from));

    let mut args: Vec<&str> = command[1..].iter().map(String::as_str).collect();
    args.extend(["--columns", "--color", "never"]);
    let replay = Command::new(&command[0]).args(&args).output().expect("the printed command runs");
    let replayed = stdout(&replay);
    assert_eq!(replay.status.code(), Some(100), "{replayed}");
    assert!(replayed.contains(&closing), "{replayed}");
    assert!(replayed.contains("check:  logSize") && replayed.contains("reason: Log size too large"), "{replayed}");
    assert!(replayed.contains("│ n0"), "columns: {replayed}");
    assert_eq!(trace_hash(&replayed), sweep_hash, "the replay is the run the sweep found");
}

#[test]
fn failing_seeds_are_kept_in_the_examples_own_regression_file_and_run_first() {
    let dir = scratch("regressions");
    let output = student_in(&dir, &["sweep", "SnapshotBasic2D", "--seeds", "2", "--save-failures"]);
    assert_eq!(output.status.code(), Some(100), "{}{}", stdout(&output), stderr(&output));
    // A user's project: beside `regressions.txt` in the directory it runs from, named after the Raft.
    let file = dir.join("regressions-example.txt");
    let kept = std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
    assert!(kept.contains("SnapshotBasic2D 0"), "{kept}");
    assert!(kept.contains("(with --raft example)"), "{kept}");
    let again = student_in(&dir, &["sweep", "SnapshotBasic2D", "--seeds", "1", "--start", "5"]);
    let text = stdout(&again);
    assert_eq!(again.status.code(), Some(100), "{text}");
    assert!(text.contains("2 of them regression seeds, run first"), "{text}");
}

#[test]
fn shards_merge_into_one_report_whose_replay_commands_name_the_binary() {
    let dir = scratch("shards");
    let mut files = Vec::new();
    for shard in ["1/2", "2/2"] {
        let json = dir.join(format!("shard-{}.jsonl", &shard[..1]));
        let partition = format!("slice:{shard}");
        let args = ["sweep", "InitialElection2A,SnapshotBasic2D", "--seeds", "4", "--partition", &partition];
        let output = student(&[&args[..], &["--json", json.to_str().unwrap()]].concat());
        assert_eq!(output.status.code(), Some(100), "{}", stdout(&output));
        files.push(json);
    }
    let mut args = vec!["report"];
    args.extend(files.iter().map(|file| file.to_str().unwrap()));
    let output = student(&args);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(100), "{text}{}", stderr(&output));
    assert!(text.contains(", raft example, "), "{text}");
    assert_eq!(passed_failed(&text, "InitialElection2A"), ("4", "0"), "{text}");
    assert_eq!(passed_failed(&text, "SnapshotBasic2D"), ("0", "4"), "{text}");
    let commands = replay_commands(&text);
    assert!(!commands.is_empty(), "{text}");
    assert!(
        commands.iter().all(|words| words[0] == BIN && words.ends_with(&["--raft".into(), "example".into()])),
        "{text}"
    );
}

#[test]
fn a_bad_choice_is_one_line_naming_the_binary() {
    let output = student(&["run", "InitialElection2A", "--seed", "1", "--raft", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.starts_with("student-raftsim: unknown Raft 'nope' (known: example, core, raft-rs"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    // Our core stays a choice, and its replay command names it (it is not this binary's default).
    let core = student(&["run", "InitialElection2A", "--seed", "1", "--raft", "core"]);
    assert_eq!(core.status.code(), Some(0));
    assert!(stdout(&core).contains("replay InitialElection2A --seed 1 --raft core"), "{}", stdout(&core));
}
