//! `raftsim sweep` as a process: the table, exit codes, shards, JSON lines,
//! determinism checks, the regression file.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{assert_usage_error, files_in, raftsim, scratch, stderr, stdout};

/// (test, seed) of every line of a JSON-lines file, in file order.
fn runs_in(path: &Path) -> Vec<(String, u64)> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON"))
        .filter(|line| line.get("raftsim").is_none())
        .map(|run| (run["test"].as_str().unwrap().to_string(), run["seed"].as_u64().unwrap()))
        .collect()
}

#[test]
fn sweep_ends_with_the_counts_line_and_exit_zero() {
    let output = raftsim(&["sweep", "2A", "--seeds", "20", "--jobs", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().last(), Some("60 passed, 0 failed"));
    let header = text.lines().find(|line| line.starts_with("test ")).expect("a table");
    for column in ["passed", "failed", "p50 virt", "p99 virt", "RPCs/run", "bytes/run", "seeds/s", "digest"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(stderr(&output).is_empty(), "no progress lines for a short sweep off a terminal");
}

#[test]
fn sweep_output_does_not_depend_on_the_worker_count() {
    let table = |jobs: &str| -> Vec<String> {
        let text = stdout(&raftsim(&["sweep", "2A", "--seeds", "50", "--jobs", jobs]));
        // Everything but the speed column.
        text.lines()
            .filter(|line| line.contains("2A ") && line.ends_with(|c: char| c.is_ascii_hexdigit()))
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let (head, tail) = fields.split_at(fields.len() - 2);
                format!("{} {}", head.join(" "), tail[1])
            })
            .collect()
    };
    let one = table("1");
    assert_eq!(one.len(), 3);
    assert_eq!(one, table("2"));
    assert_eq!(one, table("3"));
}

#[test]
fn json_lines_record_every_run_the_same_for_any_worker_count() {
    let dir = scratch("json");
    let one = dir.join("one.jsonl");
    let three = dir.join("three.jsonl");
    let output = raftsim(&["sweep", "2A", "--seeds", "30", "--jobs", "1", "--json", one.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    raftsim(&["sweep", "2A", "--seeds", "30", "--jobs", "3", "--json", three.to_str().unwrap()]);
    assert_eq!(fs::read(&one).unwrap(), fs::read(&three).unwrap(), "run order, not finishing order");
    let text = fs::read_to_string(&one).unwrap();
    assert_eq!(text.lines().count(), 91, "a header and a line per run");
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["raftsim"]["raft"], "core");
    assert_eq!(header["raftsim"]["network"], "labrpc");
    assert_eq!(header["raftsim"]["seeds"], 30);
    let first: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(first["test"], "InitialElection2A");
    assert_eq!(first["seed"], 0);
    assert_eq!(first["outcome"], "pass");
    assert!(first["reason"].is_null());
    for key in ["virtual_time_us", "events", "rpcs", "bytes"] {
        assert!(first[key].as_u64().unwrap() > 0, "{key}");
    }
    assert_eq!(first["trace_hash"].as_str().unwrap().len(), 16);
    assert_eq!(files_in(&dir), vec!["one.jsonl", "three.jsonl"], "no temporary files left");
}

#[test]
fn shards_cover_the_seed_set_exactly_once() {
    let dir = scratch("shards");
    let whole = dir.join("whole.jsonl");
    raftsim(&["sweep", "2A", "--seeds", "60", "--start", "5", "--json", whole.to_str().unwrap()]);
    let expected: BTreeSet<(String, u64)> = runs_in(&whole).into_iter().collect();
    assert_eq!(expected.len(), 180);
    for kind in ["hash", "slice"] {
        let mut union = Vec::new();
        for shard in 1..=3 {
            let path = dir.join(format!("{kind}-{shard}.jsonl"));
            let spec = format!("{kind}:{shard}/3");
            let output = raftsim(&[
                "sweep",
                "2A",
                "--seeds",
                "60",
                "--start",
                "5",
                "--partition",
                &spec,
                "--json",
                path.to_str().unwrap(),
            ]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert!(stdout(&output).contains(&format!("partition {spec}")));
            let runs = runs_in(&path);
            assert!(runs.len() > 30, "{kind}:{shard}/3 ran a fair share, not {}", runs.len());
            union.extend(runs);
        }
        let distinct: BTreeSet<(String, u64)> = union.iter().cloned().collect();
        assert_eq!(distinct.len(), union.len(), "{kind}: no seed runs in two shards");
        assert_eq!(distinct, expected, "{kind}: the shards' union is the seed set");
    }
}

#[test]
fn bad_partitions_and_paths_are_usage_errors_that_write_nothing() {
    for spec in ["hash:0/3", "hash:4/3", "slice:1/0", "hash:1", "nextest:1/2", "hash:x/y"] {
        assert_usage_error(&["sweep", "2A", "--seeds", "5", "--partition", spec], &format!("bad --partition '{spec}'"));
    }
    let dir = scratch("unwritable");
    let missing = dir.join("no-such-dir").join("runs.jsonl");
    assert_usage_error(&["sweep", "2A", "--seeds", "5", "--json", missing.to_str().unwrap()], "cannot write");
    assert_usage_error(&["sweep", "2A", "--seeds", "5", "--json", dir.to_str().unwrap()], "it is a directory");
    assert!(files_in(&dir).is_empty());
}

#[test]
fn check_determinism_runs_each_seed_twice() {
    let output = raftsim(&["sweep", "InitialElection2A,BasicAgree2B", "--seeds", "15", "--check-determinism"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("each seed twice (--check-determinism)"), "{text}");
    assert!(text.ends_with("30 passed, 0 failed\n"), "{text}");
}

#[test]
fn regression_seeds_run_first_and_bad_lines_say_where() {
    let dir = scratch("regressions");
    let file = dir.join("regressions.txt");
    fs::write(&file, "# seeds that once failed\nReElection2A 900   # a note\n\nInitialElection2A 7\n").unwrap();
    let json = dir.join("runs.jsonl");
    let output = raftsim(&[
        "sweep",
        "2A",
        "--seeds",
        "3",
        "--regressions",
        file.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("2 of them regression seeds, run first"));
    let runs = runs_in(&json);
    let seeds = |test: &str| runs.iter().filter(|(name, _)| name == test).map(|(_, seed)| *seed).collect::<Vec<_>>();
    assert_eq!(seeds("InitialElection2A"), vec![7, 0, 1, 2]);
    assert_eq!(seeds("ReElection2A"), vec![900, 0, 1, 2]);
    assert_eq!(seeds("ManyElections2A"), vec![0, 1, 2]);

    fs::write(&file, "InitialElection2A 7\nInitialElection2A seven\n").unwrap();
    let out = dir.join("never.jsonl");
    let args =
        ["sweep", "2A", "--seeds", "3", "--regressions", file.to_str().unwrap(), "--json", out.to_str().unwrap()];
    assert_usage_error(&args, &format!("{}:2: bad seed 'seven'", file.display()));
    fs::write(&file, "InitalElection2A 7\n").unwrap();
    assert_usage_error(&args, &format!("{}:1: unknown test 'InitalElection2A'", file.display()));
    fs::write(&file, [0xff, 0xfe, b'\n']).unwrap();
    assert_usage_error(&args, "cannot read regression file");
    assert!(!out.exists(), "no output file after a usage error");
    let missing = dir.join("missing.txt");
    assert_usage_error(
        &["sweep", "2A", "--seeds", "3", "--regressions", missing.to_str().unwrap()],
        "cannot read regression file",
    );
}

#[cfg(feature = "planted-bugs")]
#[test]
fn save_failures_appends_new_failing_seeds() {
    let dir = scratch("save");
    let file = dir.join("regressions.txt");
    let args = [
        "sweep",
        "InitialElection2A",
        "--seeds",
        "3",
        "--bug",
        "fixed-election-timeout",
        "--regressions",
        file.to_str().unwrap(),
        "--save-failures",
    ];
    let output = raftsim(&args);
    assert_eq!(output.status.code(), Some(100));
    assert!(stdout(&output).contains("saved 3 new failing seed(s)"), "{}", stdout(&output));
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.starts_with('#'), "a header says what the file is");
    assert!(text.contains("InitialElection2A 0  # checkOneLeader: expected one leader, got none"), "{text}");
    let again = raftsim(&args);
    assert!(stdout(&again).contains("saved 0 new failing seed(s)"));
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
}

#[cfg(feature = "planted-bugs")]
#[test]
fn fail_fast_stops_at_the_first_failure() {
    let output = raftsim(&[
        "sweep",
        "InitialElection2A",
        "--seeds",
        "5000",
        "--jobs",
        "1",
        "--bug",
        "fixed-election-timeout",
        "--fail-fast",
    ]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("stopped at the first failure (--fail-fast): 1 of 5000 runs made"), "{text}");
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
}

#[cfg(feature = "planted-bugs")]
#[test]
fn until_fail_stops_at_the_first_failure_and_shows_why() {
    let output = raftsim(&["sweep", "2A", "--until-fail", "--jobs", "1", "--bug", "fixed-election-timeout"]);
    assert_eq!(output.status.code(), Some(100));
    let text = stdout(&output);
    assert!(text.contains("round-robin until the first failure"), "{text}");
    assert!(text.contains("first failure (--until-fail): InitialElection2A seed 0\n"), "{text}");
    assert!(text.contains("n2 recv #191 ← n0  VoteReply(t16 denied)\n"), "the trace's tail: {text}");
    assert!(text.contains("n2 t16 candidate recv #184: denied n1 its vote for term 16 (already voted)\n"), "{text}");
    assert!(text.contains("check:  checkOneLeader\nreason: expected one leader, got none\n"), "{text}");
    assert!(text.contains("stopped at the first failure (--until-fail): 1 of 3000000 runs made"), "{text}");
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
}

#[test]
fn until_fail_without_a_failure_runs_every_seed() {
    let output = raftsim(&["sweep", "2A", "--until-fail", "--seeds", "3"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("no failure in 9 run(s) (--until-fail)"), "{text}");
    assert!(text.ends_with("9 passed, 0 failed\n"), "{text}");
}

#[test]
fn a_time_budget_stops_the_sweep_without_changing_any_run() {
    let output = raftsim(&["sweep", "all", "--seeds", "1000000", "--time", "1s", "--jobs", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("round-robin for at most 1s wall"), "{text}");
    assert!(text.contains("stopped after the time budget (--time 1s): "), "{text}");
    // A budget that does not run out gives the same table (but the speed column).
    let digests = |args: &[&str]| -> Vec<String> {
        let text = stdout(&raftsim(args));
        text.lines()
            .filter(|line| line.starts_with("InitialElection2A ") || line.starts_with("ReElection2A "))
            .map(|line| {
                let cells: Vec<&str> = line.split_whitespace().collect();
                format!("{} {} {}", cells[..7].join(" "), cells.len(), cells[cells.len() - 1])
            })
            .collect()
    };
    let plain = digests(&["sweep", "2A", "--seeds", "40"]);
    assert_eq!(plain.len(), 2);
    assert_eq!(plain, digests(&["sweep", "2A", "--seeds", "40", "--time", "1h"]));
}

#[test]
fn sweep_needs_seeds_or_until_fail_and_a_good_budget() {
    assert_usage_error(&["sweep", "2A"], "--seeds");
    assert_usage_error(&["sweep", "2A", "--seeds", "3", "--time", "0s"], "--time: the budget must be more than zero");
    assert_usage_error(&["sweep", "2A", "--seeds", "3", "--time", "soon"], "--time: bad duration 'soon'");
}

/// The binary (with its own allocator, worker threads and release options)
/// replays the trace hashes the library pins in sims/golden/trace-hashes.txt:
/// what runs inside `raftsim` is the same run the golden test checks.
#[test]
fn the_binary_replays_the_pinned_golden_hashes() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sims/golden/trace-hashes.txt");
    let text = fs::read_to_string(golden).expect("sims/golden/trace-hashes.txt exists");
    let pinned: std::collections::BTreeMap<(String, u64), String> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            ((fields[0].to_string(), fields[1].parse().unwrap()), fields[2].to_string())
        })
        .collect();
    let dir = scratch("golden-binary");
    let json = dir.join("runs.jsonl");
    let output = raftsim(&["sweep", "all", "--seeds", "2", "--jobs", "2", "--json", json.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut compared = 0;
    for line in fs::read_to_string(&json).unwrap().lines().skip(1) {
        let run: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = (run["test"].as_str().unwrap().to_string(), run["seed"].as_u64().unwrap());
        let want = pinned.get(&key).unwrap_or_else(|| panic!("{key:?} is pinned"));
        assert_eq!(run["trace_hash"].as_str().unwrap(), want, "{key:?}");
        compared += 1;
    }
    assert_eq!(compared, 2 * 28, "every lab test, seeds 0 and 1");
}
