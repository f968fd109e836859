//! A Raft that panics inside a sweep (issue 14): the panic is a failure of
//! that run, with its test, seed, message and replay line, and the sweep goes
//! on to the end (it used to hang forever, naming nothing). The Raft under
//! test is our core behind a wrapper factory that panics on some seeds; the
//! tester names the node and the call that panicked.

use std::sync::Arc;

use api::{Factory, MakeArgs, Node};
use harness::sweep::regressions::Regressions;
use harness::sweep::{self, Progress, SweepConfig, SweepRequest, Verdict, WorkList};
use harness::Selection;
use tester::Check;

/// Our core, but node 1 panics when it is made with an odd RNG seed.
struct Panicky;

impl Factory for Panicky {
    fn name(&self) -> &str {
        "panicky-core"
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        if args.me.0 == 1 && args.rng_seed % 2 == 1 {
            panic!("planted panic in node {} (rng seed {})", args.me.0, args.rng_seed);
        }
        raft::CoreFactory::new().make(args)
    }
}

fn panicky(seeds: u64, jobs: usize) -> SweepConfig {
    SweepConfig { seeds, jobs, raft: Selection::from_factory(Arc::new(Panicky)), ..SweepConfig::default() }
}

#[test]
fn a_panicking_raft_fails_its_run_and_the_sweep_goes_on() {
    let cases = sims::matching("InitialElection2A");
    let config = panicky(20, 2);
    let work = WorkList::new(&cases, &Regressions::default(), &config).unwrap();
    let outcome = sweep::sweep(&work, &config, &Progress::default(), &|_, _| {});
    let summary = &outcome.summaries[0];
    assert_eq!(summary.runs(), 20, "every seed ran");
    assert!(summary.failed > 0 && summary.passed + summary.failed == 20, "{} failed", summary.failed);
    let failure = &summary.failures[0];
    assert_eq!(failure.check, Check::NodePanic);
    assert!(
        failure.reason.starts_with("n1 panicked in Make (restoring its persisted state): planted panic in node 1"),
        "{}",
        failure.reason
    );
    let mut table = Vec::new();
    sweep::table::write(&mut table, &outcome.summaries, &harness::Rerun::new("raftsim", " --raft panicky-core"))
        .unwrap();
    let table = String::from_utf8(table).unwrap();
    let seed = failure.seed;
    assert!(table.contains(&format!("FAIL InitialElection2A seed {seed}: panic: n1 panicked in Make")), "{table}");
    assert!(
        table.contains(&format!("replay: raftsim replay InitialElection2A --seed {seed} --raft panicky-core")),
        "{table}"
    );
    // The same seeds panic whatever the number of workers.
    let one = sweep::sweep(&work, &panicky(20, 1), &Progress::default(), &|_, _| {});
    let seeds =
        |outcome: &sweep::engine::Outcome| outcome.summaries[0].failures.iter().map(|f| f.seed).collect::<Vec<_>>();
    assert_eq!(seeds(&one), seeds(&outcome));
}

#[test]
fn a_whole_sweep_with_its_progress_watcher_ends_and_reports_the_panics() {
    let cases = sims::matching("InitialElection2A,ReElection2A");
    let request = SweepRequest {
        config: panicky(6, 2),
        json: None,
        regressions: std::env::temp_dir().join("raftsim-panics-no-regressions.txt"),
        regressions_named: false,
        save_failures: false,
        save_max: None,
        version: "test".into(),
        shrink: false,
    };
    // This call used to never return: the watcher waited for a flag the panicked worker never set.
    assert_eq!(sweep::run(&cases, &request), Ok(Verdict::Failed));
}
