//! `--check-determinism` names the first typed event where two runs of a
//! seed part, as a readable line.

/// A Raft factory with a planted non-determinism, for the test only: every
/// other run (counted by the nodes it makes) gives node 0 another election
/// timer seed. The product code has no hook for it: it goes in through
/// `tester::Options::factory`, as any other Raft would.
struct EveryOtherRunDiffers {
    made: std::sync::atomic::AtomicU64,
    servers: u64,
}

impl api::Factory for EveryOtherRunDiffers {
    fn name(&self) -> &str {
        "core-every-other-run-differs"
    }

    fn make(&self, mut args: api::MakeArgs) -> Result<Box<dyn api::Node>, String> {
        let run = self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed) / self.servers;
        if run % 2 == 1 && args.me == api::NodeId(0) {
            args.rng_seed ^= 0x5eed;
        }
        raft::CoreFactory::new().make(args)
    }
}

#[test]
fn a_planted_non_determinism_is_named_at_its_first_differing_event() {
    use harness::replay::record::record_run;
    use std::sync::Arc;

    let case = sims::find("InitialElection2A").unwrap();
    let flaky = Arc::new(EveryOtherRunDiffers { made: std::sync::atomic::AtomicU64::new(0), servers: 3 });
    let options = tester::Options::new(flaky);

    // What the diff must find: record an even run and an odd run ourselves.
    let (_, even) = record_run(case, 5, &options);
    let (_, odd) = record_run(case, 5, &options);
    let expected = harness::replay::diff::first_difference(&even, &odd).expect("the planted difference shows");
    assert_eq!(even[..expected.event], odd[..expected.event]);
    assert_ne!(even[expected.event], odd[expected.event]);
    let lines = |trace: &[tester::trace::Traced]| -> Vec<String> {
        let style = harness::replay::style::Style { color: false };
        harness::replay::describe::rows(trace).iter().map(|row| harness::replay::lines::line(row, style)).collect()
    };
    let (even_lines, odd_lines) = (lines(&even), lines(&odd));
    let (first, second) = (&even_lines[expected.event], &odd_lines[expected.event]);
    assert_ne!(first, second, "the differing events read differently");
    assert_eq!(expected.first.as_ref().map(|(_, line)| line), Some(first));

    // The sweep's determinism check fails the seed and explains it.
    let run = harness::sweep::engine::run_seed(case, 5, 5, &options, true);
    let failure = run.outcome.expect_err("two runs of the seed differ");
    assert_eq!(failure.check, tester::Check::Determinism);
    assert!(failure.reason.starts_with("two runs of one seed differ: trace "), "{}", failure.reason);
    let detail = run.detail.join("\n");
    assert!(
        detail.starts_with(&format!("first difference at event #{} (virtual time ", expected.event + 1)),
        "{detail}"
    );
    assert!(detail.contains(&format!("  run 1: {first}")), "{detail}");
    assert!(detail.contains(&format!("  run 2: {second}")), "{detail}");
    assert!(detail.contains(&format!("  both:  {}", even_lines[expected.event - 1])), "{detail}");
    println!("{detail}");

    // A deterministic Raft has no difference to show.
    let plain = harness::sweep::engine::run_seed(case, 5, 5, &sims::core_options(), true);
    assert!(plain.outcome.is_ok() && plain.detail.is_empty());
}
