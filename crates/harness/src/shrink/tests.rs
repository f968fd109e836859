use super::*;

fn record(case: &TestCase, seed: u64) -> Report {
    sims::run_test(case, seed, &Options { decide: Decide::Record, record: true, ..sims::core_options() })
}

#[test]
fn a_written_script_reads_back_and_replays_the_run() {
    let case = sims::find("Figure82C").unwrap();
    let original = record(case, 3);
    let tape = original.tape.as_ref().unwrap();
    let header = Header { test: Some(case.name.to_string()), ..Header::default() };
    let text = annotate::write(&header, tape, original.trace.as_deref().unwrap(), &["made by a test".into()]);
    let parsed = script::parse(&text).unwrap();
    assert_eq!(parsed.header.test.as_deref(), Some("Figure82C"));
    assert_eq!(parsed.script, Script::from_tape(tape));
    let replayed = run_script(case, &sims::core_options(), parsed.script, false);
    assert_eq!(replayed.trace_hash, original.trace_hash);
    assert!(text.contains("# made by a test\n") && text.contains("AppendEntries"), "commented");
}

/// The script of seed 3 of Figure82C with `edit` applied to its text, and that script's run.
fn edited(edit: impl Fn(&str) -> Option<String>) -> (Report, Report) {
    let case = sims::find("Figure82C").unwrap();
    let original = record(case, 3);
    let text =
        annotate::write(&Header::default(), original.tape.as_ref().unwrap(), original.trace.as_deref().unwrap(), &[]);
    let mut changed = 0;
    let edited: String = text
        .lines()
        .filter_map(|line| match edit(line) {
            Some(new) if new != line => {
                changed += 1;
                (!new.is_empty()).then_some(new)
            }
            _ => Some(line.to_string()),
        })
        .map(|line| line + "\n")
        .collect();
    assert_eq!(changed, 1, "one line edited");
    let script = script::parse(&edited).unwrap().script;
    let once = run_script(case, &sims::core_options(), script.clone(), false);
    let twice = run_script(case, &sims::core_options(), script, false);
    assert_eq!(once.trace_hash, twice.trace_hash, "an edited script replays deterministically");
    (original, once)
}

#[test]
fn a_hand_edited_script_with_a_delay_removed_replays() {
    // The first slow message's extra latency removed: the rest of the script stands.
    let first = std::cell::Cell::new(true);
    let (original, edited) = edited(|line| {
        if !(line.starts_with("msg ") && line.contains(" slow ") && first.get()) {
            return None;
        }
        first.set(false);
        let kept: Vec<&str> = line
            .split('#')
            .next()
            .unwrap()
            .split_whitespace()
            .filter(|word| *word != "slow" && !word.starts_with("slow-us="))
            .collect();
        Some(kept.join(" "))
    });
    assert!(edited.passed(), "{:?}", edited.outcome);
    assert_ne!(edited.trace_hash, original.trace_hash, "the edit changed the run");
}

#[test]
fn a_hand_edited_script_with_a_crash_moved_replays() {
    // Figure82C crashes each round's leader after a pause of U[0,13) ms: the
    // first such pause made longer moves that crash (and the rest of the run) later.
    let first = std::cell::Cell::new(true);
    let (original, edited) = edited(|line| {
        if !(line.starts_with("draw ") && line.contains("U[0,13)") && first.get()) {
            return None;
        }
        first.set(false);
        let code = line.split('#').next().unwrap().trim();
        let (head, value) = code.rsplit_once("value=").unwrap();
        let later = if value == "12" { 11 } else { 12 };
        Some(format!("{head}value={later}"))
    });
    assert!(edited.passed(), "{:?}", edited.outcome);
    assert_ne!(edited.trace_hash, original.trace_hash, "the crash moved");
}

#[test]
fn a_passing_seed_has_nothing_to_shrink() {
    let case = sims::find("InitialElection2A").unwrap();
    let error = shrink(case, &Selection::core(), 1, Limits::default(), &mut |_| {}).unwrap_err();
    assert!(error.contains("passes: nothing to shrink"), "{error}");
}

#[cfg(feature = "planted-bugs")]
#[test]
fn a_planted_bug_shrinks_to_a_script_that_fails_the_same_check_deterministically() {
    let case = sims::find("Figure8Unreliable2C").unwrap();
    let raft = Selection::core_with(Some("commit-beyond-verified")).unwrap();
    let limits = Limits { max_runs: 300, time: None };
    let mut lines = Vec::new();
    let shrunk = shrink(case, &raft, 0, limits, &mut |line| lines.push(line.to_string())).unwrap();
    assert_eq!(shrunk.failure.check, shrunk.original_failure.check);
    assert!(shrunk.shrunk.decisions * 10 < shrunk.original.decisions, "{:?} vs {:?}", shrunk.shrunk, shrunk.original);
    assert!(!lines.is_empty(), "progress was told");
    // The printed script replays to the same failure.
    let parsed = script::parse(&shrunk.text).unwrap();
    assert_eq!(parsed.header.bug.as_deref(), Some("commit-beyond-verified"));
    let replayed = run_script(case, &raft.options(), parsed.script, false);
    assert_eq!(replayed.outcome.as_ref().unwrap_err().check, shrunk.check);
    assert_eq!(replayed.trace_hash, shrunk.trace_hash);
    // The same input gives the same script.
    let again = shrink(case, &raft, 0, limits, &mut |_| {}).unwrap();
    assert_eq!(again.text, shrunk.text);
}
