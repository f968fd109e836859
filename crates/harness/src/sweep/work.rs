//! The work list of a sweep: per test, its regression seeds first, then the
//! seed range, less what the partition leaves to other shards, numbered so
//! that workers can take indexes in order. Test by test, or round-robin over
//! the tests (seed 0 of each, then seed 1, ...) for `--until-fail` and
//! `--time`, so a stop part-way leaves every test with a fair share. Every
//! count is checked: a range or a run count that does not fit in 64 bits is a
//! one-line error, never a wrapped plan.

use sims::TestCase;

use super::engine::SweepConfig;
use super::partition::Partition;
use super::regressions::Regressions;

/// One test's runs.
struct TestWork {
    case: &'static TestCase,
    /// Regression seeds, in file order.
    regressions: Vec<u64>,
    /// The same, sorted, to skip them in the range.
    sorted: Vec<u64>,
}

/// One run to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkItem {
    pub test: usize,
    pub seed: u64,
    /// Where the seed stands in its test's run order (regression seeds first).
    pub position: u64,
}

/// Every run of a sweep, numbered: test by test, regression seeds then the range.
pub struct WorkList {
    tests: Vec<TestWork>,
    /// The first index of each test, and the total at the end.
    offsets: Vec<u64>,
    start: u64,
    partition: Option<Partition>,
    /// Round-robin over the tests instead of test by test.
    interleave: bool,
    /// The longest test's run count (for the round-robin order).
    longest: u64,
    /// The first index of every test that has runs, ascending: handed out first.
    probes: Vec<u64>,
}

impl WorkList {
    /// The runs of `cases`, or a one-line error when the seed range or the
    /// run count does not fit in 64 bits (checked, never wrapped).
    pub fn new(
        cases: &[&'static TestCase],
        regressions: &Regressions,
        config: &SweepConfig,
    ) -> Result<WorkList, String> {
        if config.seeds == 0 {
            return Err("--seeds must be at least 1".into());
        }
        config.start.checked_add(config.seeds - 1).ok_or_else(|| {
            format!(
                "--start {} plus --seeds {} overflows the seed range (seeds go up to {})",
                config.start,
                config.seeds,
                u64::MAX
            )
        })?;
        let too_many = || {
            format!(
                "{} test(s) × {} seeds is more runs than raftsim can count (at most {}); sweep fewer seeds or split with --partition",
                cases.len(),
                config.seeds,
                u64::MAX
            )
        };
        let mut tests = Vec::new();
        let mut offsets = vec![0u64];
        let mut longest = 0u64;
        for case in cases {
            let listed = regressions.seeds_for(case.name);
            let mut sorted = listed.clone();
            sorted.sort_unstable();
            let runs = (listed.len() as u64).checked_add(config.seeds).ok_or_else(too_many)?;
            let end = offsets.last().copied().unwrap_or(0).checked_add(runs).ok_or_else(too_many)?;
            offsets.push(end);
            longest = longest.max(runs);
            tests.push(TestWork { case, regressions: listed, sorted });
        }
        // Round-robin (--until-fail, --time) numbers longest × tests indexes.
        let interleave = config.until_fail || config.time_budget.is_some();
        if interleave {
            longest.checked_mul(tests.len() as u64).ok_or_else(too_many)?;
        }
        let mut probes: Vec<u64> = offsets.windows(2).filter(|pair| pair[0] < pair[1]).map(|pair| pair[0]).collect();
        probes.dedup();
        Ok(WorkList { tests, offsets, start: config.start, partition: config.partition, interleave, longest, probes })
    }

    /// How many indexes there are (some of which may be skipped).
    pub fn len(&self) -> u64 {
        if self.interleave {
            return self.longest * self.tests.len() as u64; // checked in `new`
        }
        *self.offsets.last().expect("offsets start with 0")
    }

    /// The index to hand out at `turn` (0, 1, ...). Test by test, the first
    /// run of every test goes first, so the progress display has every
    /// test's cost early (slow tests often come last); then the rest in
    /// order. A round-robin order already starts with a seed of each test.
    /// What runs, and the order of the JSON lines, do not change.
    pub fn index_at_turn(&self, turn: u64) -> u64 {
        if self.interleave {
            return turn;
        }
        if let Some(probe) = self.probes.get(turn as usize) {
            return *probe;
        }
        let mut index = turn - self.probes.len() as u64;
        for probe in &self.probes {
            if *probe > index {
                break;
            }
            index += 1;
        }
        index
    }

    /// The test and position of `index`, in either order.
    fn locate(&self, index: u64) -> Option<(usize, u64)> {
        if self.interleave {
            let tests = self.tests.len() as u64;
            let (test, position) = ((index % tests) as usize, index / tests);
            let runs = self.offsets[test + 1] - self.offsets[test];
            return (position < runs).then_some((test, position));
        }
        let test = self.offsets.partition_point(|offset| *offset <= index).checked_sub(1)?;
        (test < self.tests.len()).then(|| (test, index - self.offsets[test]))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn case(&self, test: usize) -> &'static TestCase {
        self.tests[test].case
    }

    pub fn tests(&self) -> usize {
        self.tests.len()
    }

    /// The run at `index`, or `None` when this shard skips it (or it repeats a regression seed).
    pub fn item(&self, index: u64) -> Option<WorkItem> {
        let (test, position) = self.locate(index)?;
        let work = &self.tests[test];
        let seed = match work.regressions.get(position as usize) {
            Some(seed) => *seed,
            None => {
                let seed = self.start + (position - work.regressions.len() as u64);
                if work.sorted.binary_search(&seed).is_ok() {
                    return None;
                }
                seed
            }
        };
        let included = self.partition.is_none_or(|partition| partition.includes(work.case.name, seed, position));
        included.then_some(WorkItem { test, seed, position })
    }

    /// How many runs each test makes in this shard.
    pub fn planned_per_test(&self) -> Vec<u64> {
        if self.partition.is_none() {
            return (0..self.tests.len())
                .map(|test| self.tests[test].regressions.len() as u64 + self.range_runs(test))
                .collect();
        }
        let mut runs = vec![0; self.tests.len()];
        for index in 0..self.len() {
            if let Some(item) = self.item(index) {
                runs[item.test] += 1;
            }
        }
        runs
    }

    /// How many runs this shard makes, and how many of them are regression seeds.
    pub fn planned(&self) -> (u64, u64) {
        if self.partition.is_none() {
            // Every position runs but a range seed that repeats a regression seed.
            let regressions: u64 = self.tests.iter().map(|work| work.regressions.len() as u64).sum();
            let range: u64 = (0..self.tests.len()).map(|test| self.range_runs(test)).sum();
            return (regressions + range, regressions);
        }
        let (mut runs, mut regressions) = (0, 0);
        for index in 0..self.len() {
            if let Some(item) = self.item(index) {
                runs += 1;
                if item.position < self.tests[item.test].regressions.len() as u64 {
                    regressions += 1;
                }
            }
        }
        (runs, regressions)
    }
}

impl WorkList {
    /// The range seeds test `test` runs: the range, less the regression seeds in it.
    fn range_runs(&self, test: usize) -> u64 {
        let work = &self.tests[test];
        let seeds = self.offsets[test + 1] - self.offsets[test] - work.regressions.len() as u64;
        let Some(last) = seeds.checked_sub(1).map(|span| self.start + span) else { return 0 };
        let mut in_range: Vec<u64> =
            work.sorted.iter().copied().filter(|seed| (self.start..=last).contains(seed)).collect();
        in_range.dedup();
        let repeated = in_range.len() as u64;
        seeds - repeated
    }
}
