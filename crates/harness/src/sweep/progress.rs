//! Progress while a sweep (or a hunt) runs, on stderr, like dstest's table:
//! per test, passed / failed / planned; every failure printed as it happens
//! with its replay line; an ETA from the measured wall cost per run of each
//! test (a test not timed yet is said to be, not guessed as cheap). On a
//! terminal, a live bar and a line per started test; elsewhere (a CI log) a
//! plain line every few seconds. The wall clock is read here for display only.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::engine::SeedRun;
use crate::Rerun;

const TICK: Duration = Duration::from_millis(100);
const PLAIN_EVERY: Duration = Duration::from_secs(5);
/// The most tests a plain progress line names.
const PLAIN_TESTS_SHOWN: usize = 4;

/// One test's live counters.
#[derive(Debug)]
struct TestProgress {
    name: &'static str,
    planned: u64,
    passed: AtomicU64,
    failed: AtomicU64,
    /// Wall time spent in this test's runs, in µs, over every worker.
    wall_us: AtomicU64,
}

/// Live counters, shared by the workers and the display.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub failed: AtomicU64,
    tests: Vec<TestProgress>,
    /// How to run a seed again, for replay lines.
    rerun: Rerun,
    jobs: u64,
    /// Failures not shown yet, one line each (with the replay line).
    news: Mutex<Vec<String>>,
}

impl Progress {
    /// Counters for tests `names`, each with its planned runs, on `jobs` workers.
    pub fn new(names: &[&'static str], planned: &[u64], jobs: usize, rerun: Rerun) -> Progress {
        let tests = names
            .iter()
            .zip(planned)
            .map(|(name, planned)| TestProgress {
                name,
                planned: *planned,
                passed: AtomicU64::new(0),
                failed: AtomicU64::new(0),
                wall_us: AtomicU64::new(0),
            })
            .collect();
        Progress { tests, rerun, jobs: jobs.max(1) as u64, ..Progress::default() }
    }

    /// Counts one finished run of test number `test`, which took `wall`.
    pub fn record(&self, test: usize, run: &SeedRun, wall: Duration) {
        let counters = self.tests.get(test);
        if let Some(counters) = counters {
            counters.wall_us.fetch_add(wall.as_micros() as u64, Ordering::Relaxed);
        }
        match &run.outcome {
            Ok(()) => {
                counters.map(|counters| counters.passed.fetch_add(1, Ordering::Relaxed));
            }
            Err(failure) => {
                counters.map(|counters| counters.failed.fetch_add(1, Ordering::Relaxed));
                self.failed.fetch_add(1, Ordering::Relaxed);
                let line = format!(
                    "FAIL {} seed {}: {}: {}\n     replay: {}",
                    run.test,
                    run.seed,
                    failure.check,
                    failure.reason,
                    self.rerun.command(run.test, run.seed)
                );
                self.news.lock().unwrap_or_else(|poison| poison.into_inner()).push(line);
            }
        }
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn take_news(&self) -> Vec<String> {
        std::mem::take(&mut *self.news.lock().unwrap_or_else(|poison| poison.into_inner()))
    }

    /// Seconds left from each test's measured cost per run, and how many
    /// tests with runs left have not been timed yet.
    fn eta(&self) -> (f64, usize) {
        let (mut seconds, mut untimed) = (0.0, 0);
        for test in &self.tests {
            let done = test.passed.load(Ordering::Relaxed) + test.failed.load(Ordering::Relaxed);
            let left = test.planned.saturating_sub(done);
            if left == 0 {
                continue;
            }
            if done == 0 {
                untimed += 1;
                continue;
            }
            let per_run = test.wall_us.load(Ordering::Relaxed) as f64 / 1e6 / done as f64;
            seconds += per_run * left as f64;
        }
        (seconds / self.jobs.max(1) as f64, untimed)
    }

    fn eta_text(&self) -> String {
        let (seconds, untimed) = self.eta();
        match untimed {
            0 => format!("ETA {}", duration(seconds)),
            _ if seconds == 0.0 => format!("ETA ? ({untimed} test(s) not timed yet)"),
            _ => format!("ETA over {} ({untimed} test(s) not timed yet)", duration(seconds)),
        }
    }

    /// `Name passed/failed/planned`, for a started test.
    fn test_line(test: &TestProgress) -> Option<String> {
        let (passed, failed) = (test.passed.load(Ordering::Relaxed), test.failed.load(Ordering::Relaxed));
        (passed + failed > 0).then(|| format!("{}: {passed} passed, {failed} failed of {}", test.name, test.planned))
    }
}

fn duration(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    match whole {
        0..=59 => format!("{whole}s"),
        60..=3599 => format!("{}m{:02}s", whole / 60, whole % 60),
        _ => format!("{}h{:02}m", whole / 3600, whole % 3600 / 60),
    }
}

/// Sets a flag when dropped, even by a panic, so the watcher always stops.
struct Finished<'a>(&'a AtomicBool);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` on its own thread while this one shows `progress` (of `total` runs).
pub fn while_showing<T: Send>(progress: &Progress, total: u64, work: impl FnOnce() -> T + Send) -> T {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let _finished = Finished(&finished);
            work()
        });
        watch(progress, total, &|| finished.load(Ordering::Relaxed));
        match worker.join() {
            Ok(result) => result,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

/// Shows progress until `finished()` says the sweep is over.
pub fn watch(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    if std::io::stderr().is_terminal() {
        live_bar(progress, total, finished);
    } else {
        plain_lines(progress, total, finished);
    }
}

fn live_bar(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let bar = multi.add(ProgressBar::new(total));
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar:.cyan/blue} {human_pos}/{human_len} runs  {msg}",
    )
    .expect("a valid template")
    .progress_chars("█▉▊▋▌▍▎▏ ");
    bar.set_style(style);
    let line_style = ProgressStyle::with_template("  {msg}").expect("a valid template");
    let mut lines: Vec<Option<ProgressBar>> = progress.tests.iter().map(|_| None).collect();
    loop {
        let over = finished();
        for news in progress.take_news() {
            let _ = multi.println(news);
        }
        for (test, line) in progress.tests.iter().zip(lines.iter_mut()) {
            if let Some(text) = Progress::test_line(test) {
                let shown = line.get_or_insert_with(|| multi.add(ProgressBar::new(1).with_style(line_style.clone())));
                shown.set_message(text);
            }
        }
        let done = progress.done.load(Ordering::Relaxed);
        let rate = done as f64 / bar.elapsed().as_secs_f64().max(1e-3);
        bar.set_position(done);
        bar.set_message(format!(
            "{} failed  {rate:.0} runs/s  {}",
            progress.failed.load(Ordering::Relaxed),
            progress.eta_text()
        ));
        if over {
            break;
        }
        std::thread::sleep(TICK);
    }
    let _ = multi.clear();
}

fn plain_lines(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    #[allow(clippy::disallowed_methods)] // progress display only
    let began = Instant::now();
    let mut last_report = began;
    loop {
        let over = finished();
        for news in progress.take_news() {
            eprintln!("{news}");
        }
        if over {
            break;
        }
        std::thread::sleep(TICK);
        #[allow(clippy::disallowed_methods)] // progress display only
        let now = Instant::now();
        if now - last_report < PLAIN_EVERY {
            continue;
        }
        last_report = now;
        let done = progress.done.load(Ordering::Relaxed);
        let failed = progress.failed.load(Ordering::Relaxed);
        let rate = done as f64 / (now - began).as_secs_f64().max(1e-3);
        // The tests under way past their first run (every test's first run goes first).
        let running: Vec<String> = progress
            .tests
            .iter()
            .filter(|test| {
                let done = test.passed.load(Ordering::Relaxed) + test.failed.load(Ordering::Relaxed);
                done > 1 && done < test.planned
            })
            .take(PLAIN_TESTS_SHOWN)
            .filter_map(Progress::test_line)
            .collect();
        let now_running = if running.is_empty() { String::new() } else { format!("; {}", running.join("; ")) };
        eprintln!(
            "progress: {done}/{total} runs, {failed} failed, {rate:.0} runs/s, {}{now_running}",
            progress.eta_text()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::engine::RunFailure;

    fn run(test: &'static str, seed: u64, failed: bool) -> SeedRun {
        SeedRun {
            test,
            seed,
            position: seed,
            outcome: if failed {
                Err(RunFailure { check: tester::Check::Lab(tester::LabCheck::One), reason: "no agreement".into() })
            } else {
                Ok(())
            },
            virtual_time_us: 0,
            events: 0,
            rpcs: 0,
            bytes: 0,
            trace_hash: 0,
            detail: Vec::new(),
            coverage: tester::Coverage::default(),
        }
    }

    #[test]
    fn the_eta_uses_each_tests_own_cost_and_names_untimed_tests() {
        let progress = Progress::new(&["Fast2A", "Slow2C", "Later2D"], &[10, 10, 10], 2, Rerun::default());
        progress.record(0, &run("Fast2A", 0, false), Duration::from_millis(100));
        progress.record(1, &run("Slow2C", 0, true), Duration::from_secs(4));
        // 9 × 0.1 s + 9 × 4 s on 2 workers, and Later2D not timed yet.
        assert_eq!(progress.eta_text(), "ETA over 18s (1 test(s) not timed yet)");
        progress.record(2, &run("Later2D", 0, false), Duration::from_secs(1));
        assert_eq!(progress.eta_text(), "ETA 23s");
        assert_eq!(Progress::test_line(&progress.tests[1]).unwrap(), "Slow2C: 0 passed, 1 failed of 10");
        let news = progress.take_news();
        assert_eq!(news, vec!["FAIL Slow2C seed 0: one: no agreement\n     replay: raftsim replay Slow2C --seed 0"]);
        assert!(progress.take_news().is_empty());
    }
}
