//! Readable goldens: next to sims/golden/trace-hashes.txt, short plain-text
//! transcripts of three runs, rendered by the harness's line renderer (the
//! same lines `raftsim replay` prints): an election, a backup (a leader
//! overwriting a follower's conflicting entries, §5.3), and a snapshot
//! install (§7). Each is a window of the run around its moment, found from
//! the typed trace, and its header carries the run's trace hash, so a
//! changed hash in the golden file comes with a transcript that shows what
//! changed. Re-bless with
//! `RAFTSIM_BLESS=1 cargo test --release -p raftsim-harness --test transcripts`
//! and say why in the commit.

use std::path::PathBuf;

use harness::replay::describe::rows;
use harness::replay::lines::line;
use harness::replay::style::Style;
use tester::trace::{TraceEvent, Traced};

/// One transcript: which run, the moment it shows, how much before and after it.
struct Transcript {
    test: &'static str,
    seed: u64,
    what: &'static str,
    moment: fn(&TraceEvent) -> bool,
    before: usize,
    after: usize,
}

const TRANSCRIPTS: [Transcript; 3] = [
    Transcript {
        test: "InitialElection2A",
        seed: 0,
        what: "the first election, from the start to the new leader's first heartbeats",
        moment: |event| matches!(event, TraceEvent::Step { after, before, .. } if after.leader && !before.leader),
        before: 60,
        after: 12,
    },
    Transcript {
        test: "Backup2B",
        seed: 0,
        what: "the first backup: a follower's conflicting entries dropped and overwritten",
        moment: |event| matches!(event, TraceEvent::LogChanged { truncated_from: Some(_), .. }),
        before: 30,
        after: 30,
    },
    Transcript {
        test: "SnapshotInstall2D",
        seed: 0,
        what: "the first snapshot a leader installs on a lagging follower",
        moment: |event| matches!(event, TraceEvent::SnapshotInstalled { .. }),
        before: 30,
        after: 20,
    },
];

fn path(transcript: &Transcript) -> PathBuf {
    let sims = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sims/golden/transcripts");
    sims.join(format!("{}-seed{}.txt", transcript.test, transcript.seed))
}

/// The transcript's text: a header, then the shown lines around the moment.
fn render(transcript: &Transcript) -> String {
    let case = sims::find(transcript.test).expect("a lab test");
    let (report, trace) = harness::replay::record::record_run(case, transcript.seed, &sims::core_options());
    let at = trace.iter().position(|traced: &Traced| (transcript.moment)(&traced.event));
    let at = at.unwrap_or_else(|| panic!("{}: the moment never comes", transcript.test));
    let rows = rows(&trace);
    let shown: Vec<usize> = (0..rows.len()).filter(|i| !rows[*i].quiet).collect();
    let moment = shown.iter().position(|i| *i >= at).expect("the moment is shown");
    let first = moment.saturating_sub(transcript.before);
    let last = (moment + transcript.after).min(shown.len() - 1);
    let mut text = format!(
        "# {} seed {}: {}.\n# Shown events {}..{} of {} (quiet steps skipped); the whole run: trace {:016x}, {} runtime events, {}.\n",
        transcript.test,
        transcript.seed,
        transcript.what,
        first + 1,
        last + 1,
        shown.len(),
        report.trace_hash,
        report.events,
        if report.passed() { "PASS" } else { "FAIL" },
    );
    text.push_str("# Rewrite: RAFTSIM_BLESS=1 cargo test --release -p raftsim-harness --test transcripts\n");
    for i in &shown[first..=last] {
        text.push_str(&line(&rows[*i], Style { color: false }));
        text.push('\n');
    }
    text
}

#[test]
fn transcripts_match_their_golden_files() {
    let bless = std::env::var_os("RAFTSIM_BLESS").is_some();
    let mut changed = Vec::new();
    for transcript in &TRANSCRIPTS {
        let text = render(transcript);
        assert!(text.lines().count() < 120, "{}: a transcript stays short", transcript.test);
        let path = path(transcript);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        if golden != text {
            let (number, (want, got)) = golden
                .lines()
                .chain(std::iter::repeat("(end)"))
                .zip(text.lines().chain(std::iter::repeat("(end)")))
                .enumerate()
                .find(|(_, (want, got))| want != got)
                .expect("texts differ somewhere");
            changed.push(format!("{}:{}\n  golden: {want}\n  now:    {got}", path.display(), number + 1));
        }
    }
    assert!(changed.is_empty(), "transcripts changed (re-bless if on purpose):\n{}", changed.join("\n"));
}
