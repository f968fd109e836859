//! The harness bites: with a planted bug, a sweep of the lab tests finds
//! failing seeds. Each bug is paired with the tests that should catch it and
//! the most seeds a sweep may need.

#![cfg(feature = "planted-bugs")]

use tester::Options;

/// The first failing (test, seed, reason) when sweeping `pattern` with `bug`.
fn first_failure(bug: &'static str, pattern: &str, seeds: u64) -> Option<String> {
    let options = Options { bug: Some(bug), ..Options::default() };
    for seed in 0..seeds {
        for case in sims::matching(pattern) {
            if let Err(failure) = sims::run_test(case, seed, &options).outcome {
                return Some(format!("{} seed {seed}: {failure}", case.name));
            }
        }
    }
    None
}

fn assert_caught(bug: &'static str, pattern: &str, seeds: u64) {
    let found = first_failure(bug, pattern, seeds);
    assert!(found.is_some(), "planted bug {bug} survived {seeds} seeds of {pattern}");
}

#[test]
fn fixed_election_timeout_is_caught_by_2a() {
    assert_caught("fixed-election-timeout", "2A", 20);
}

#[test]
fn no_up_to_date_check_is_caught_by_2b() {
    assert_caught("no-up-to-date-check", "2B", 50);
}

#[test]
fn the_correct_core_passes_the_same_seeds() {
    // The control: without a bug, the seeds that catch the bugs above pass.
    assert_eq!(first_failure_without_bug("2A,2B", 20), None);
}

fn first_failure_without_bug(pattern: &str, seeds: u64) -> Option<String> {
    for seed in 0..seeds {
        for case in sims::matching(pattern) {
            if let Err(failure) = sims::run_test(case, seed, &Options::default()).outcome {
                return Some(format!("{} seed {seed}: {failure}", case.name));
            }
        }
    }
    None
}
