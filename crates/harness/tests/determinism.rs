//! Same seed ⇒ same trace hash, whatever the number of worker threads.

use std::sync::Mutex;

use harness::sweep::regressions::Regressions;
use harness::sweep::{sweep, Progress, SeedRun, SweepConfig, WorkList};

type Hashes = (Vec<(&'static str, u64, u64)>, Vec<(&'static str, u64)>);

/// Every (test, seed, trace hash) of a sweep with `jobs` workers, and the digests.
fn hashes(pattern: &str, seeds: u64, jobs: usize) -> Hashes {
    let cases = sims::matching(pattern);
    {
        let config = SweepConfig { start: 0, seeds, jobs, ..SweepConfig::default() };
        let work = WorkList::new(&cases, &Regressions::default(), &config).unwrap();
        let seen = Mutex::new(Vec::new());
        let observe = |_: u64, run: &SeedRun| seen.lock().unwrap().push((run.test, run.seed, run.trace_hash));
        let outcome = sweep(&work, &config, &Progress::default(), &observe);
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        let digests: Vec<(&str, u64)> = outcome.summaries.iter().map(|s| (s.name, s.digest)).collect();
        (seen, digests)
    }
}

#[test]
fn per_seed_hashes_do_not_depend_on_worker_count() {
    let one = hashes("2A,BasicAgree2B,FailAgree2B", 120, 1);
    assert_eq!(one.0.len(), 5 * 120);
    assert_eq!(one, hashes("2A,BasicAgree2B,FailAgree2B", 120, 2));
    assert_eq!(one, hashes("2A,BasicAgree2B,FailAgree2B", 120, 4));
    // And different seeds really do different things.
    let first: std::collections::BTreeSet<u64> =
        one.0.iter().filter(|(test, _, _)| *test == "InitialElection2A").map(|(_, _, hash)| *hash).collect();
    assert_eq!(first.len(), 120);
}

/// Determinism through crashes, restarts, lossy networks and snapshots.
#[test]
fn crash_restart_and_snapshot_runs_replay_across_worker_counts() {
    let pattern = "Persist12C,Persist32C,Figure82C,UnreliableAgree2C,SnapshotInstallCrash2D,SnapshotAllCrash2D";
    let one = hashes(pattern, 12, 1);
    assert_eq!(one.0.len(), 6 * 12);
    assert_eq!(one, hashes(pattern, 12, 2));
    assert_eq!(one, hashes(pattern, 12, 3));
}

/// Determinism through the nemesis: crash points, duplicates, delays, drift, partitions.
#[test]
fn nemesis_runs_replay_across_worker_counts() {
    let one = hashes("Nemesis", 8, 1);
    assert_eq!(one.0.len(), sims::NEMESIS.len() * 8);
    assert_eq!(one, hashes("Nemesis", 8, 2));
    assert_eq!(one, hashes("Nemesis", 8, 3));
}
