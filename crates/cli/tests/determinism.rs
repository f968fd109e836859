//! Same seed ⇒ same trace hash, whatever the number of worker threads.

use std::sync::Mutex;

use raftsim::sweep::regressions::Regressions;
use raftsim::sweep::{sweep, Progress, SeedRun, SweepConfig, WorkList};

#[test]
fn per_seed_hashes_do_not_depend_on_worker_count() {
    let cases = sims::matching("2A,BasicAgree2B,FailAgree2B");
    let hashes = |jobs: usize| {
        let config = SweepConfig {
            start: 0,
            seeds: 120,
            jobs,
            bug: None,
            fail_fast: false,
            check_determinism: false,
            partition: None,
        };
        let work = WorkList::new(&cases, &Regressions::default(), &config);
        let seen = Mutex::new(Vec::new());
        let observe = |_: u64, run: &SeedRun| seen.lock().unwrap().push((run.test, run.seed, run.trace_hash));
        let outcome = sweep(&work, &config, &Progress::default(), &observe);
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        let digests: Vec<(&str, u64)> = outcome.summaries.iter().map(|s| (s.name, s.digest)).collect();
        (seen, digests)
    };
    let one = hashes(1);
    assert_eq!(one.0.len(), 5 * 120);
    assert_eq!(one, hashes(2));
    assert_eq!(one, hashes(4));
    // And different seeds really do different things.
    let first: std::collections::BTreeSet<u64> =
        one.0.iter().filter(|(test, _, _)| *test == "InitialElection2A").map(|(_, _, hash)| *hash).collect();
    assert_eq!(first.len(), 120);
}
