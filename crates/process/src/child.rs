//! One node incarnation's process: spawned with piped stdin, stdout and
//! stderr, spoken to synchronously (one input line, then output lines up to
//! `done`), killed when the node crashes or the run ends.
//!
//! The harness reads the node's stdout itself, line by line, in order: what
//! a correct node's run does depends on nothing else. Two small helper
//! threads per process take no part in it: one keeps the tail of stderr (so
//! that a chatty node never blocks on a full pipe), and a watchdog kills a
//! node that stays inside one step past the per-step bound, so that a hang
//! becomes a failure instead of a stuck harness. The bound is wall-clock
//! time and failure detection only: it can end a run that would never end,
//! and never changes a run that ends.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bytes of stderr kept for failure reports.
const STDERR_TAIL_BYTES: usize = 2048;
/// The least time init may take: it includes the program's start.
pub(crate) const STARTUP_BOUND: Duration = Duration::from_secs(20);
/// The watchdog looks this many times per bound: a hang is caught within 1¼ bounds.
const WATCHDOG_LOOKS_PER_BOUND: u32 = 4;

/// What the node's step is, as the watchdog sees it.
#[derive(Default)]
struct StepWatch {
    /// Counts steps begun; odd while a step runs.
    steps: AtomicU64,
    /// How many looks in a row the running step may stay open.
    looks_allowed: AtomicU64,
    /// The watchdog killed the node.
    fired: AtomicBool,
}

/// A running node process.
pub(crate) struct Process {
    child: Arc<Mutex<Child>>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_closed: Receiver<()>,
    watch: Arc<StepWatch>,
    /// Dropping it stops the watchdog.
    _stop_watchdog: Sender<()>,
    step_bound: Duration,
}

impl Process {
    /// Spawns `program args`; an error says why it could not start.
    pub fn spawn(program: &str, args: &[String], step_bound: Duration) -> Result<Process, String> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `{program}`: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped stdout"));
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let child = Arc::new(Mutex::new(child));
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let (closed, stderr_closed) = mpsc::channel();
        let tail = Arc::clone(&stderr);
        helper("stderr", move || {
            keep_tail(stderr_pipe, &tail);
            let _ = closed.send(());
        })?;
        let watch = Arc::new(StepWatch::default());
        let (stop_watchdog, stop) = mpsc::channel();
        let (watched, target) = (Arc::clone(&watch), Arc::clone(&child));
        helper("watchdog", move || watchdog(&watched, &target, &stop, step_bound))?;
        Ok(Process { child, stdin, stdout, stderr, stderr_closed, watch, _stop_watchdog: stop_watchdog, step_bound })
    }

    /// A step begins: the watchdog starts counting. The first step (init)
    /// may take `startup` instead of the step bound, if longer: it includes
    /// the program's start (an interpreter's imports).
    pub fn begin_step(&self, startup: Option<Duration>) {
        let bound = startup.map_or(self.step_bound, |startup| startup.max(self.step_bound));
        let look = (self.step_bound / WATCHDOG_LOOKS_PER_BOUND).max(Duration::from_millis(1));
        let looks = bound.as_micros().div_ceil(look.as_micros()) as u64;
        self.watch.looks_allowed.store(looks, Ordering::SeqCst);
        self.watch.steps.fetch_add(1, Ordering::SeqCst);
    }

    /// The step ended (with `done` or an error).
    pub fn end_step(&self) {
        self.watch.steps.fetch_add(1, Ordering::SeqCst);
    }

    /// Writes one input line (ending in a newline).
    pub fn send(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("its stdin is closed")?;
        match stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.gone(&format!("writing its stdin: {e}"))),
        }
    }

    /// The next output line; an error if the node exits or the watchdog killed it.
    pub fn next_line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err(self.gone("it closed its stdout")),
            Ok(_) => Ok(line),
            Err(e) => Err(format!("reading its stdout: {e}")),
        }
    }

    /// Whether output is already waiting (a node writing past its `done`).
    pub fn has_pending(&self) -> bool {
        !self.stdout.buffer().is_empty()
    }

    /// Why the process stopped answering, with its exit status when it has one.
    fn gone(&mut self, what: &str) -> String {
        if self.watch.fired.load(Ordering::SeqCst) {
            return format!(
                "no `done` within the per-step bound of {} ms (wall clock; {} ms for init): \
                 the node hangs, and was killed",
                self.step_bound.as_millis(),
                self.step_bound.max(STARTUP_BOUND).as_millis()
            );
        }
        // An exiting process closes its pipes just before it is reaped: give it a moment.
        for _ in 0..50 {
            if let Ok(Some(status)) = self.child.lock().unwrap_or_else(|p| p.into_inner()).try_wait() {
                return format!("{what}: the node exited ({status})");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        format!("{what} (the node still runs)")
    }

    /// The last lines the node wrote on stderr, joined with ` | `, or `(empty)`.
    pub fn stderr_tail(&mut self) -> String {
        // Once the process is gone, wait briefly for the stderr thread to read the rest.
        if matches!(self.child.lock().unwrap_or_else(|p| p.into_inner()).try_wait(), Ok(Some(_))) {
            let _ = self.stderr_closed.recv_timeout(Duration::from_millis(500));
        }
        let tail = self.stderr.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bytes: Vec<u8> = tail.iter().copied().collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let lines: Vec<&str> = text.lines().map(str::trim_end).filter(|line| !line.is_empty()).collect();
        if lines.is_empty() {
            return "(empty)".to_string();
        }
        lines[lines.len().saturating_sub(8)..].join(" | ")
    }
}

impl Drop for Process {
    /// A crash is a kill: nothing the node does afterwards counts.
    fn drop(&mut self) {
        self.stdin = None;
        let mut child = self.child.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Starts a helper thread (see the module's docs: none takes part in a run).
#[allow(clippy::disallowed_methods)]
fn helper(what: &str, work: impl FnOnce() + Send + 'static) -> Result<(), String> {
    std::thread::Builder::new()
        .name(format!("node-{what}"))
        .spawn(work)
        .map(|_detached| ())
        .map_err(|e| format!("cannot start the node's {what} thread: {e}"))
}

/// Kills the node if one step stays open through a whole bound; ends when the process is dropped.
fn watchdog(watch: &StepWatch, child: &Mutex<Child>, stop: &Receiver<()>, bound: Duration) {
    let look = (bound / WATCHDOG_LOOKS_PER_BOUND).max(Duration::from_millis(1));
    let (mut seen, mut looks) = (u64::MAX, 0);
    loop {
        match stop.recv_timeout(look) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let steps = watch.steps.load(Ordering::SeqCst);
        let in_step = steps % 2 == 1;
        looks = if in_step && steps == seen { looks + 1 } else { 0 };
        seen = steps;
        if looks >= watch.looks_allowed.load(Ordering::SeqCst) {
            watch.fired.store(true, Ordering::SeqCst);
            let _ = child.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).kill();
            return;
        }
    }
}

/// Keeps the last bytes of stderr.
fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = stderr.read(&mut chunk) {
        let mut tail = tail.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tail.extend(&chunk[..n]);
        let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
        tail.drain(..excess);
    }
}
