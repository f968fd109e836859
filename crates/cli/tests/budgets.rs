//! Honest arithmetic, budgets and conventions (issue 14): seed counts that
//! overflow are one-line errors; `--time` gives every test its share; an empty
//! shard exits 4; environment variables stand for flags; `--version`,
//! completions and the man page; the regression file is the project's.

mod common;

use std::fs;
use std::process::Command;

use common::{assert_usage_error, raftsim, scratch, stderr, stdout};

#[test]
fn run_counts_that_overflow_are_clear_errors_not_wrapped_plans() {
    // 28 tests × 10^18 seeds is past 2^64 runs: it used to wrap (release) or panic (debug).
    assert_usage_error(&["sweep", "all", "--seeds", "1000000000000000000"], "more runs than raftsim can count");
    assert_usage_error(
        &["sweep", "2A", "--seeds", "1000", "--start", "18446744073709551000"],
        "overflows the seed range",
    );
    // u64::MAX seeds plus a regression seed used to wrap to a plan of nothing, and exit 0.
    let dir = scratch("overflow");
    let file = dir.join("regressions.txt");
    fs::write(&file, "InitialElection2A 5\n").unwrap();
    assert_usage_error(
        &["sweep", "InitialElection2A", "--seeds", "18446744073709551615", "--regressions", file.to_str().unwrap()],
        "more runs than raftsim can count",
    );
}

#[test]
fn seeds_up_to_the_last_one_run_with_the_regression_seeds() {
    let dir = scratch("last-seeds");
    let file = dir.join("regressions.txt");
    fs::write(&file, "InitialElection2A 5\n").unwrap();
    let output = raftsim(&[
        "sweep",
        "InitialElection2A",
        "--start",
        "18446744073709551613",
        "--seeds",
        "3",
        "--regressions",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("sweeping 1 test(s) × 3 seeds (18446744073709551613..18446744073709551615)"), "{text}");
    assert!(text.ends_with("4 passed, 0 failed\n"), "the three last seeds and the regression seed: {text}");
}

#[test]
fn a_time_budget_is_shared_round_robin_so_every_test_runs() {
    // 1 ms is less than one run: the first round still gives every 2C test a seed.
    let output = raftsim(&["sweep", "2C", "--seeds", "1000000", "--time", "1ms", "--jobs", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let tests = stdout(&raftsim(&["list"]));
    let part_2c: Vec<&str> =
        tests.lines().filter_map(|line| line.split_whitespace().next()).filter(|name| name.ends_with("2C")).collect();
    assert_eq!(part_2c.len(), 8);
    for name in part_2c {
        let row = text
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} has a row: {text}"));
        let passed: u64 = row.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(passed >= 1, "{row}");
    }
    assert!(text.contains("stopped after the time budget (--time 0.001s): "), "{text}");
    assert!(text.contains("every test got "), "the table says how many seeds each got: {text}");
    assert!(!text.contains("not run for lack of time"), "{text}");
}

#[test]
fn an_empty_shard_exits_4() {
    // InitialElection2A seed 0 falls in hash shard 4 of 5 (pinned in the partition's tests).
    let output = raftsim(&["sweep", "InitialElection2A", "--seeds", "1", "--partition", "hash:1/5"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(stdout(&output).contains("no run to make"), "{}", stdout(&output));
    assert!(stderr(&output).contains("no run was made"), "{}", stderr(&output));
    let output = raftsim(&["sweep", "InitialElection2A", "--seeds", "1", "--partition", "hash:4/5"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn environment_variables_stand_for_the_main_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A"])
        .env("RAFTSIM_SEEDS", "7")
        .env("RAFTSIM_START", "100")
        .env("RAFTSIM_JOBS", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("sweeping 1 test(s) × 7 seeds (100..106) on 1 worker(s)"), "{text}");
    // A flag wins over its variable.
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A", "--seeds", "2"])
        .env("RAFTSIM_SEEDS", "7")
        .output()
        .unwrap();
    assert!(stdout(&output).ends_with("2 passed, 0 failed\n"), "{}", stdout(&output));
    let help = stdout(&raftsim(&["sweep", "--help"]));
    assert!(help.contains("[env: RAFTSIM_SEEDS=]"), "{help}");
}

#[test]
fn version_names_the_commit_and_the_planted_bugs() {
    let text = stdout(&raftsim(&["--version"]));
    assert!(text.starts_with("raftsim 0.1.0 (commit "), "{text}");
    let planted = if cfg!(feature = "planted-bugs") { "planted bugs: compiled in)" } else { "planted bugs: none)" };
    assert!(text.trim_end().ends_with(planted), "{text}");
}

#[test]
fn help_documents_the_exit_codes() {
    let help = stdout(&raftsim(&["--help"]));
    for line in
        ["0    every run passed", "4    no run was made", "110  an output could not be written", "130  interrupted"]
    {
        assert!(help.contains(line), "{line}: {help}");
    }
}

#[test]
fn completions_and_man_page_come_from_the_parser() {
    let bash = raftsim(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    let bash = stdout(&bash);
    assert!(bash.contains("_raftsim()") && bash.contains("--partition"), "{bash}");
    let zsh = stdout(&raftsim(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef raftsim"), "{zsh}");
    let man = raftsim(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    let man = stdout(&man);
    assert!(man.contains(".TH raftsim 1") && man.contains("report"), "{man}");
    assert_usage_error(&["completions", "tcsh"], "tcsh");
}

#[test]
fn the_regression_file_is_the_projects_from_any_directory_below_it() {
    let project = scratch("project");
    fs::create_dir_all(project.join("sims")).unwrap();
    fs::create_dir_all(project.join("crates/deeper")).unwrap();
    fs::write(project.join("sims/regressions.txt"), "InitialElection2A 77\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A", "--seeds", "2"])
        .current_dir(project.join("crates/deeper"))
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.contains(": 3 runs, 1 of them regression seeds, run first"), "{text}");
    // RAFTSIM_REGRESSIONS names another file.
    let other = project.join("other.txt");
    fs::write(&other, "InitialElection2A 1\nInitialElection2A 2\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A", "--seeds", "5", "--start", "10"])
        .current_dir(project.join("crates/deeper"))
        .env("RAFTSIM_REGRESSIONS", &other)
        .output()
        .unwrap();
    assert!(stdout(&output).contains(": 7 runs, 2 of them regression seeds"), "{}", stdout(&output));
}

#[test]
fn a_timeline_says_the_filters_do_not_apply_instead_of_ignoring_them() {
    let dir = scratch("timeline-filters");
    let svg = dir.join("t.svg");
    for filter in [["--nodes", "0"], ["--topics", "vote"], ["--from", "1s"], ["--until", "2s"]] {
        let mut args = vec!["replay", "ReElection2A", "--seed", "3", "--timeline", svg.to_str().unwrap()];
        args.extend(filter);
        assert_usage_error(&args, "cannot be used with");
    }
    assert!(!svg.exists());
}
