//! Progress while a sweep runs, on stderr: a live bar on a terminal (runs
//! done, failures so far, seeds per second, ETA), and a plain line every few
//! seconds when stderr is not a terminal (a CI log). The wall clock is read
//! here for display only.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::engine::Progress;

const TICK: Duration = Duration::from_millis(100);
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Shows progress until `finished()` says the sweep is over.
pub fn watch(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    if std::io::stderr().is_terminal() {
        live_bar(progress, total, finished);
    } else {
        plain_lines(progress, total, finished);
    }
}

fn live_bar(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar:.cyan/blue} {human_pos}/{human_len} seeds  {msg}  ETA {eta}",
    )
    .expect("a valid template")
    .progress_chars("█▉▊▋▌▍▎▏ ");
    bar.set_style(style);
    while !finished() {
        std::thread::sleep(TICK);
        let done = progress.done.load(Ordering::Relaxed);
        let rate = done as f64 / bar.elapsed().as_secs_f64().max(1e-3);
        bar.set_position(done);
        bar.set_message(format!("{} failed  {rate:.0} seeds/s", progress.failed.load(Ordering::Relaxed)));
    }
    bar.finish_and_clear();
}

fn plain_lines(progress: &Progress, total: u64, finished: &dyn Fn() -> bool) {
    #[allow(clippy::disallowed_methods)] // progress display only
    let began = Instant::now();
    let mut last_report = began;
    while !finished() {
        std::thread::sleep(TICK);
        #[allow(clippy::disallowed_methods)] // progress display only
        let now = Instant::now();
        if now - last_report < PLAIN_EVERY {
            continue;
        }
        last_report = now;
        let done = progress.done.load(Ordering::Relaxed);
        let failed = progress.failed.load(Ordering::Relaxed);
        let elapsed = (now - began).as_secs_f64();
        let rate = done as f64 / elapsed.max(1e-3);
        let eta = if rate > 0.0 { format!("{:.0}s", total.saturating_sub(done) as f64 / rate) } else { "?".into() };
        eprintln!("progress: {done}/{total} seeds, {failed} failed, {rate:.0} seeds/s, ETA {eta}");
    }
}
