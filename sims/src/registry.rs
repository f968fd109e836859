//! The registry: every lab test under its lab name, with its make_config
//! setup and its description, and the runner that wraps begin()/end().

use std::future::Future;
use std::pin::Pin;

use tester::{Cluster, Failure, Options, Report, Setup};

use crate::{lab2a, lab2b, lab2c, lab2d, nemesis};

type Scenario = fn(Cluster) -> Pin<Box<dyn Future<Output = Result<(), Failure>>>>;

/// One lab test.
pub struct TestCase {
    /// The lab's name without the `Test` prefix, e.g. `InitialElection2A`.
    pub name: &'static str,
    /// The lab's description, e.g. `Test (2A): initial election`.
    pub description: &'static str,
    pub setup: Setup,
    scenario: Scenario,
}

impl TestCase {
    /// The lab part: `2A`, `2B`, `2C` or `2D`; `nemesis` for the nemesis family.
    pub fn part(&self) -> &'static str {
        if self.name.starts_with("Nemesis") {
            return "nemesis";
        }
        &self.name[self.name.len() - 2..]
    }
}

const fn setup(servers: usize, unreliable: bool, snapshot: bool) -> Setup {
    Setup { servers, unreliable, snapshot }
}

macro_rules! test_case {
    ($name:literal, $description:literal, $setup:expr, $scenario:path) => {
        TestCase { name: $name, description: $description, setup: $setup, scenario: |c| Box::pin($scenario(c)) }
    };
}

/// Every lab test, in test_test.go's order.
pub static TESTS: &[TestCase] = &[
    test_case!("InitialElection2A", "Test (2A): initial election", setup(3, false, false), lab2a::initial_election),
    test_case!("ReElection2A", "Test (2A): election after network failure", setup(3, false, false), lab2a::re_election),
    test_case!("ManyElections2A", "Test (2A): multiple elections", setup(7, false, false), lab2a::many_elections),
    test_case!("BasicAgree2B", "Test (2B): basic agreement", setup(3, false, false), lab2b::basic_agree),
    test_case!("RPCBytes2B", "Test (2B): RPC byte count", setup(3, false, false), lab2b::rpc_bytes),
    test_case!(
        "FollowerFailure2B",
        "Test (2B): test progressive failure of followers",
        setup(3, false, false),
        lab2b::follower_failure
    ),
    test_case!("LeaderFailure2B", "Test (2B): test failure of leaders", setup(3, false, false), lab2b::leader_failure),
    test_case!(
        "FailAgree2B",
        "Test (2B): agreement after follower reconnects",
        setup(3, false, false),
        lab2b::fail_agree
    ),
    test_case!(
        "FailNoAgree2B",
        "Test (2B): no agreement if too many followers disconnect",
        setup(5, false, false),
        lab2b::fail_no_agree
    ),
    test_case!(
        "ConcurrentStarts2B",
        "Test (2B): concurrent Start()s",
        setup(3, false, false),
        lab2b::concurrent_starts
    ),
    test_case!("Rejoin2B", "Test (2B): rejoin of partitioned leader", setup(3, false, false), lab2b::rejoin),
    test_case!(
        "Backup2B",
        "Test (2B): leader backs up quickly over incorrect follower logs",
        setup(5, false, false),
        lab2b::backup
    ),
    test_case!("Count2B", "Test (2B): RPC counts aren't too high", setup(3, false, false), lab2b::count),
    test_case!("Persist12C", "Test (2C): basic persistence", setup(3, false, false), lab2c::persist1),
    test_case!("Persist22C", "Test (2C): more persistence", setup(5, false, false), lab2c::persist2),
    test_case!(
        "Persist32C",
        "Test (2C): partitioned leader and one follower crash, leader restarts",
        setup(3, false, false),
        lab2c::persist3
    ),
    test_case!("Figure82C", "Test (2C): Figure 8", setup(5, false, false), lab2c::figure8),
    test_case!("UnreliableAgree2C", "Test (2C): unreliable agreement", setup(5, true, false), lab2c::unreliable_agree),
    test_case!(
        "Figure8Unreliable2C",
        "Test (2C): Figure 8 (unreliable)",
        setup(5, true, false),
        lab2c::figure8_unreliable
    ),
    test_case!("ReliableChurn2C", "Test (2C): churn", setup(5, false, false), lab2c::reliable_churn),
    test_case!("UnreliableChurn2C", "Test (2C): unreliable churn", setup(5, true, false), lab2c::unreliable_churn),
    test_case!("SnapshotBasic2D", "Test (2D): snapshots basic", setup(3, false, true), lab2d::snapshot_basic),
    test_case!(
        "SnapshotInstall2D",
        "Test (2D): install snapshots (disconnect)",
        setup(3, false, true),
        lab2d::snapshot_install
    ),
    test_case!(
        "SnapshotInstallUnreliable2D",
        "Test (2D): install snapshots (disconnect+unreliable)",
        setup(3, true, true),
        lab2d::snapshot_install_unreliable
    ),
    test_case!(
        "SnapshotInstallCrash2D",
        "Test (2D): install snapshots (crash)",
        setup(3, false, true),
        lab2d::snapshot_install_crash
    ),
    test_case!(
        "SnapshotInstallUnCrash2D",
        "Test (2D): install snapshots (unreliable+crash)",
        setup(3, true, true),
        lab2d::snapshot_install_uncrash
    ),
    test_case!(
        "SnapshotAllCrash2D",
        "Test (2D): crash and restart all servers",
        setup(3, false, true),
        lab2d::snapshot_all_crash
    ),
    test_case!(
        "SnapshotInit2D",
        "Test (2D): snapshot initialization after crash",
        setup(3, false, true),
        lab2d::snapshot_init
    ),
];

/// The nemesis family: seeded fault mixes beyond the lab (see [`crate::nemesis`]).
pub static NEMESIS: &[TestCase] = &[
    test_case!("NemesisSwarm3", "Nemesis: a swarm of faults, 3 servers", setup(3, false, true), nemesis::swarm),
    test_case!("NemesisSwarm5", "Nemesis: a swarm of faults, 5 servers", setup(5, false, true), nemesis::swarm),
    test_case!(
        "NemesisCrash5",
        "Nemesis: crash storms with crash points inside steps, 5 servers",
        setup(5, false, true),
        nemesis::crash_storm
    ),
    test_case!(
        "NemesisSnapshot3",
        "Nemesis: snapshots with late and duplicated requests, 3 servers",
        setup(3, false, true),
        nemesis::snapshot_storm
    ),
    test_case!(
        "NemesisSnapshot5",
        "Nemesis: snapshots with late and duplicated requests, 5 servers",
        setup(5, false, true),
        nemesis::snapshot_storm
    ),
];

/// Every registered scenario: the lab's tests, then the nemesis family.
pub fn all_cases() -> impl Iterator<Item = &'static TestCase> {
    TESTS.iter().chain(NEMESIS)
}

/// The test with this name (case-insensitive; a leading `Test` is optional).
pub fn find(name: &str) -> Option<&'static TestCase> {
    let name = name.strip_prefix("Test").unwrap_or(name);
    all_cases().find(|case| case.name.eq_ignore_ascii_case(name))
}

/// The tests a pattern names: `all` (the lab's 28), an exact name, a part
/// (`2A`), a substring (`Snapshot`, `Nemesis`), or several of these separated
/// by commas.
pub fn matching(pattern: &str) -> Vec<&'static TestCase> {
    let mut found: Vec<&'static TestCase> = Vec::new();
    for word in pattern.split(',').map(str::trim).filter(|word| !word.is_empty()) {
        let lower = word.to_ascii_lowercase();
        let hits: Vec<&'static TestCase> = if lower == "all" {
            TESTS.iter().collect()
        } else if let Some(case) = find(word) {
            vec![case]
        } else {
            all_cases().filter(|case| case.name.to_ascii_lowercase().contains(&lower)).collect()
        };
        for case in hits {
            if !found.iter().any(|seen| seen.name == case.name) {
                found.push(case);
            }
        }
    }
    // Keep test_test.go's order, the nemesis family after it.
    found.sort_by_key(|case| all_cases().position(|c| c.name == case.name));
    found
}

/// The registered name closest to `name` (edit distance), to suggest on a typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    let target = name.to_ascii_lowercase();
    all_cases()
        .map(|case| (edit_distance(&case.name.to_ascii_lowercase(), &target), case.name))
        .min()
        .filter(|(distance, _)| *distance <= target.len().max(4) / 2 + 2)
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Runs one seed of one test: begin(description), the scenario, end().
pub fn run_test(case: &TestCase, seed: u64, options: &Options) -> Report {
    let scenario = case.scenario;
    let description = case.description;
    tester::run(seed, case.setup, options, move |cluster| async move {
        cluster.begin(description);
        scenario(cluster.clone()).await?;
        cluster.end();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_28_tests_with_unique_names() {
        assert_eq!(TESTS.len(), 28);
        for (i, a) in TESTS.iter().enumerate() {
            assert!(TESTS[i + 1..].iter().all(|b| a.name != b.name), "{} twice", a.name);
        }
    }

    #[test]
    fn patterns_select_tests() {
        assert_eq!(matching("2A").len(), 3);
        assert_eq!(matching("2B").len(), 10);
        assert_eq!(matching("2C").len(), 8);
        assert_eq!(matching("2D").len(), 7);
        assert_eq!(matching("all").len(), 28);
        assert_eq!(matching("TestInitialElection2A").len(), 1);
        assert_eq!(matching("initialelection2a, 2A").len(), 3);
        assert!(matching("nothing-like-this").is_empty());
        assert_eq!(matching("nemesis").len(), NEMESIS.len());
        assert!(matching("all").iter().all(|case| case.part() != "nemesis"));
    }

    #[test]
    fn suggests_the_closest_name() {
        assert_eq!(suggest("InitalElection2A"), Some("InitialElection2A"));
        assert_eq!(suggest("reelection"), Some("ReElection2A"));
        assert_eq!(suggest("qqqqqqqqqqqqqqqqqqqqqqqqqq"), None);
    }
}
