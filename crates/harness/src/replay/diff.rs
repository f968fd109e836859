//! The determinism diff: when two runs of one seed end with different trace
//! hashes, record the seed again, twice, and name the first typed event
//! where the two recordings part: both versions as readable lines, the
//! virtual time, and the events just before, which both runs share. A
//! non-determinism that does not show again within a few recordings is
//! reported as such.

use sims::TestCase;
use tester::trace::Traced;
use tester::Options;

use super::describe::rows;
use super::lines;
use super::record::record_run;
use super::style::Style;

/// How many shared events before the difference the diff shows.
pub const CONTEXT_EVENTS: usize = 3;
/// How many more recordings to compare with the first before giving up.
const ATTEMPTS: usize = 3;

/// Where two recordings of one seed first differ, as lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The index of the first differing event (0-based).
    pub event: usize,
    /// The shared events just before it.
    pub before: Vec<String>,
    /// Each run's version of that event (`None`: the run had ended), and its virtual time.
    pub first: Option<(u64, String)>,
    pub second: Option<(u64, String)>,
}

/// The first difference between two recordings, if any.
pub fn first_difference(first: &[Traced], second: &[Traced]) -> Option<Difference> {
    let event = first.iter().zip(second).position(|(a, b)| a != b).unwrap_or(first.len().min(second.len()));
    if event == first.len() && event == second.len() {
        return None;
    }
    let style = Style { color: false };
    let (first_rows, second_rows) = (rows(first), rows(second));
    let version = |rows: &[super::describe::Row]| rows.get(event).map(|row| (row.time_us, lines::line(row, style)));
    Some(Difference {
        event,
        before: first_rows[event.saturating_sub(CONTEXT_EVENTS)..event]
            .iter()
            .map(|row| lines::line(row, style))
            .collect(),
        first: version(&first_rows),
        second: version(&second_rows),
    })
}

/// Records `seed` up to four more times and explains the first difference found, in lines.
pub fn explain(case: &TestCase, seed: u64, options: &Options) -> Vec<String> {
    let (_, reference) = record_run(case, seed, options);
    for _ in 0..ATTEMPTS {
        let (_, again) = record_run(case, seed, options);
        if let Some(difference) = first_difference(&reference, &again) {
            return describe(&difference);
        }
    }
    vec![format!(
        "{} more recordings of the seed did not differ: the non-determinism did not show again, or hides in data the trace does not keep",
        ATTEMPTS + 1
    )]
}

/// The difference as lines: where, the shared events before, then both versions.
pub fn describe(difference: &Difference) -> Vec<String> {
    let mut times: Vec<String> = [&difference.first, &difference.second]
        .into_iter()
        .flatten()
        .map(|(time_us, _)| sim::Time::from_micros(*time_us).to_string())
        .collect();
    times.dedup();
    let mut text = vec![format!(
        "first difference at event #{} (virtual time {}), after {} identical event(s):",
        difference.event + 1,
        times.join(" / "),
        difference.event
    )];
    for line in &difference.before {
        text.push(format!("  both:  {line}"));
    }
    for (name, version) in [("run 1", &difference.first), ("run 2", &difference.second)] {
        match version {
            Some((_, line)) => text.push(format!("  {name}: {line}")),
            None => text.push(format!("  {name}: (the run had ended)")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::Time;
    use tester::trace::{Fault, TraceEvent};

    fn event(time_us: u64, node: u32) -> Traced {
        Traced { at: Time::from_micros(time_us), event: TraceEvent::Fault(Fault::Connect(node)) }
    }

    #[test]
    fn the_first_differing_event_is_named_with_both_versions_and_what_came_before() {
        let a: Vec<Traced> = (0..6).map(|i| event(i * 10, i as u32)).collect();
        let mut b = a.clone();
        b[4] = Traced { at: Time::from_micros(40), event: TraceEvent::Fault(Fault::Crash(4)) };
        let difference = first_difference(&a, &b).unwrap();
        assert_eq!(difference.event, 4);
        assert_eq!(difference.before.len(), 3);
        let text = describe(&difference);
        assert_eq!(text[0], "first difference at event #5 (virtual time 0.000040s), after 4 identical event(s):");
        assert_eq!(text[1], "  both:       0.000010s  n1 connect");
        assert_eq!(text[4], "  run 1:      0.000040s  n4 connect");
        assert_eq!(text[5], "  run 2:      0.000040s  n4 crash");
        assert_eq!(first_difference(&a, &a), None);
        // One run ending early is a difference too.
        let shorter = first_difference(&a, &a[..2]).unwrap();
        assert_eq!((shorter.event, shorter.second.clone()), (2, None));
        assert_eq!(describe(&shorter)[4], "  run 2: (the run had ended)");
    }
}
