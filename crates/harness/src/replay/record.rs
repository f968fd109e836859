//! Recording one run: the tester keeps its typed trace ([`tester::trace`])
//! when [`tester::Options::record`] is set, and every renderer (lines,
//! columns, JSON, timelines, the diagnosis, the determinism diff) reads that
//! trace, so they all show the same run. No log text is parsed anywhere:
//! the core's `tracing` output is for people debugging it, not for raftsim.

use sims::TestCase;
use tester::trace::Traced;
use tester::{Options, Report};

/// Runs one seed of one test with recording on and returns its report and its typed trace.
pub fn record_run(case: &TestCase, seed: u64, options: &Options) -> (Report, Vec<Traced>) {
    let options = Options { record: true, ..options.clone() };
    let mut report = sims::run_test(case, seed, &options);
    let trace = report.trace.take().unwrap_or_default();
    (report, trace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tester::trace::{TestStep, TraceEvent};

    #[test]
    fn a_run_records_its_typed_trace() {
        let case = sims::find("InitialElection2A").unwrap();
        let (report, trace) = record_run(case, 7, &sims::core_options());
        assert!(report.passed());
        assert!(trace.len() > 50);
        assert!(trace.windows(2).all(|pair| pair[0].at <= pair[1].at), "in virtual time order");
        let leader = trace.iter().find_map(|traced| match &traced.event {
            TraceEvent::Step { after, .. } if after.leader => Some(after.term),
            _ => None,
        });
        assert!(leader.is_some_and(|term| term >= 1), "someone wins");
        assert!(trace.iter().any(|traced| matches!(&traced.event, TraceEvent::Sent { term: Some(_), .. })));
        assert!(trace.iter().any(|traced| matches!(&traced.event,
            TraceEvent::Test(TestStep::Begin(description)) if description == "Test (2A): initial election")));
        // Recording changes nothing about the run, and the same seed records the same trace.
        assert_eq!(sims::run_test(case, 7, &sims::core_options()).trace_hash, report.trace_hash);
        assert_eq!(record_run(case, 7, &sims::core_options()).1, trace);
    }
}
