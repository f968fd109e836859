//! One node incarnation's process: spawned with piped stdin, stdout and
//! stderr, spoken to synchronously (one input line, then output lines up to
//! `done`), killed when the node crashes or the run ends.
//!
//! Two small threads per process only move bytes: one reads stdout lines
//! into a channel, one keeps the tail of stderr. They take no part in what
//! the simulation decides: the harness waits for each line in order, so a
//! correct node's run is the same whatever the threads' timing. The channel's
//! wall-clock bound is failure detection only (a node that hangs), never an
//! input to the run.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bytes of stderr kept for failure reports.
const STDERR_TAIL_BYTES: usize = 2048;

/// What the stdout reader hands over.
enum Lines {
    /// Every complete line the pipe held (usually one step's answer).
    Batch(Vec<String>),
    /// Stdout closed.
    Closed,
    Error(String),
}

/// A running node process.
pub(crate) struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Lines>,
    pending: VecDeque<String>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_closed: Receiver<()>,
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
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        mover("stdout", move || read_lines(stdout, &sender))?;
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let (closed, stderr_closed) = mpsc::channel();
        let tail = Arc::clone(&stderr);
        mover("stderr", move || {
            keep_tail(stderr_pipe, &tail);
            let _ = closed.send(());
        })?;
        Ok(Process { child, stdin, lines, pending: VecDeque::new(), stderr, stderr_closed, step_bound })
    }

    /// Writes one input line (ending in a newline).
    pub fn send(&mut self, line: &str) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("its stdin is closed")?;
        stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).map_err(|e| self.gone(&e.to_string()))
    }

    /// The next output line; an error if the node exits or sends nothing within the step bound.
    pub fn next_line(&mut self) -> Result<String, String> {
        loop {
            if let Some(line) = self.pending.pop_front() {
                return Ok(line);
            }
            match self.lines.recv_timeout(self.step_bound) {
                Ok(Lines::Batch(batch)) => self.pending.extend(batch),
                Ok(Lines::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.gone("it closed its stdout"));
                }
                Ok(Lines::Error(e)) => return Err(format!("reading its stdout: {e}")),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "no `done` within the per-step bound of {} ms (wall clock; the node hangs?)",
                        self.step_bound.as_millis()
                    ))
                }
            }
        }
    }

    /// Whether output lines are already waiting (a node writing past its `done`).
    pub fn has_pending(&mut self) -> bool {
        if let Ok(Lines::Batch(batch)) = self.lines.try_recv() {
            self.pending.extend(batch);
        }
        !self.pending.is_empty()
    }

    /// Why the process stopped answering, with its exit status when it has one.
    fn gone(&mut self, what: &str) -> String {
        // An exiting process closes its pipes just before it is reaped: give it a moment.
        for _ in 0..50 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return format!("{what}: the node exited ({status})");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        format!("{what} (the node still runs)")
    }

    /// The last lines the node wrote on stderr, joined with ` | `, or `(empty)`.
    pub fn stderr_tail(&mut self) -> String {
        // Once the process is gone, wait briefly for the stderr thread to read the rest.
        if matches!(self.child.try_wait(), Ok(Some(_))) {
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a thread that only moves bytes between a pipe and the harness (see the module's docs).
#[allow(clippy::disallowed_methods)]
fn mover(pipe: &str, work: impl FnOnce() + Send + 'static) -> Result<(), String> {
    std::thread::Builder::new()
        .name(format!("node-{pipe}"))
        .spawn(work)
        .map(|_detached| ())
        .map_err(|e| format!("cannot start the {pipe} reader: {e}"))
}

/// Reads stdout lines, handing over every complete line the pipe holds at once.
fn read_lines(stdout: impl Read, sender: &mpsc::Sender<Lines>) {
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut batch = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => {
                if !batch.is_empty() {
                    let _ = sender.send(Lines::Batch(std::mem::take(&mut batch)));
                }
                let _ = sender.send(Lines::Closed);
                return;
            }
            Ok(_) => {
                batch.push(line);
                if reader.buffer().is_empty() && sender.send(Lines::Batch(std::mem::take(&mut batch))).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = sender.send(Lines::Error(e.to_string()));
                return;
            }
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
