//! Ctrl-C and SIGTERM sent to a running sweep (issue 14): the first signal
//! stops handing out seeds and reports what ran (table, counts, the JSON of
//! the completed runs), exit 130 or 143, with no temporary file left; a second
//! one exits at once. The signals are sent with `kill`, the test waits on
//! what the sweep writes (a FIFO, stderr), never on the clock.

#![cfg(target_os = "linux")]

mod common;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use common::{files_in, scratch};

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("raftsim starts")
}

fn kill(signal: &str, child: &Child) {
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
}

fn mkfifo(path: &std::path::Path) {
    assert!(Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success());
}

/// The first line of the child's stdout (the sweep's header: the signal handlers are set by then).
fn header(child: &mut Child) -> (String, BufReader<std::process::ChildStdout>) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("sweeping "), "{line}");
    (line, stdout)
}

/// Reads lines until one that `wanted` accepts (there must be one).
fn read_until(reader: &mut impl BufRead, wanted: impl Fn(&str) -> bool) {
    let mut line = String::new();
    while !wanted(&line) {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the line comes before the end");
    }
}

fn rest(mut reader: impl Read) -> String {
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    text
}

/// The `N passed, N failed` line's total.
fn runs_reported(text: &str) -> u64 {
    let last = text.lines().last().unwrap_or_default();
    let words: Vec<&str> = last.split_whitespace().collect();
    assert!(words.len() == 4 && words[1] == "passed," && words[3] == "failed", "{text}");
    words[0].parse::<u64>().unwrap() + words[2].parse::<u64>().unwrap()
}

#[test]
fn sigint_reports_what_ran_and_streams_every_completed_run() {
    let dir = scratch("sigint");
    let fifo = dir.join("runs.fifo");
    mkfifo(&fifo);
    let mut child = spawn(&["sweep", "all", "--seeds", "100000", "--jobs", "1", "--json", fifo.to_str().unwrap()]);
    let mut lines = BufReader::new(File::open(&fifo).unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("{\"raftsim\":"), "the header");
    assert!(lines.next().unwrap().unwrap().starts_with("{\"test\":"), "one run is done");
    kill("-INT", &child);
    let streamed = 1 + lines.count() as u64;
    let (_, stdout) = header(&mut child);
    let text = rest(stdout);
    let stderr = rest(child.stderr.take().unwrap());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("raftsim: SIGINT: handing out no more seeds"), "{stderr}");
    assert!(text.contains("interrupted (SIGINT): "), "{text}");
    assert!(text.contains("InitialElection2A "), "the table: {text}");
    assert_eq!(runs_reported(&text), streamed, "the JSON holds every completed run: {text}");
    assert_eq!(files_in(&dir), vec!["runs.fifo"], "no temporary file left");
}

#[test]
fn sigterm_writes_the_json_of_the_completed_runs_and_exits_143() {
    let dir = scratch("sigterm");
    let json = dir.join("runs.jsonl");
    let mut child = spawn(&["sweep", "all", "--seeds", "100000", "--jobs", "2", "--json", json.to_str().unwrap()]);
    let (_, stdout) = header(&mut child);
    kill("-TERM", &child);
    let text = rest(stdout);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(text.contains("interrupted (SIGTERM): "), "{text}");
    let lines = fs::read_to_string(&json).unwrap();
    assert!(lines.starts_with("{\"raftsim\":"), "{lines}");
    assert_eq!(lines.lines().count() as u64 - 1, runs_reported(&text), "{text}");
    assert_eq!(files_in(&dir), vec!["runs.jsonl"], "no temporary file left");
}

/// Whether a thread of `pid` is blocked writing into a pipe.
fn blocked_on_a_pipe(pid: u32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else { return false };
    tasks
        .filter_map(Result::ok)
        .any(|task| fs::read_to_string(task.path().join("wchan")).is_ok_and(|wchan| wchan.contains("pipe_write")))
}

#[test]
fn a_second_sigint_exits_at_once() {
    let dir = scratch("sigint-twice");
    let fifo = dir.join("runs.fifo");
    mkfifo(&fifo);
    let mut child = spawn(&["sweep", "all", "--seeds", "100000", "--jobs", "1", "--json", fifo.to_str().unwrap()]);
    // Hold the FIFO open but stop reading: the sweep blocks once the pipe is full.
    let mut reader = BufReader::new(File::open(&fifo).unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let (_, stdout) = header(&mut child);
    while !blocked_on_a_pipe(child.id()) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    kill("-INT", &child);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    read_until(&mut stderr, |line| line.contains("handing out no more seeds"));
    // The sweep cannot finish (its JSON reader is stuck): only a second signal ends it.
    kill("-INT", &child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let text = rest(stdout);
    assert!(!text.contains(" passed, "), "stopped at once, with no report: {text}");
    assert_eq!(files_in(&dir), vec!["runs.fifo"]);
}

#[cfg(feature = "planted-bugs")]
#[test]
fn sigint_stops_a_hunt_with_the_rows_so_far() {
    // ignore-reply-term needs 573 seeds per test: a hunt of it runs long enough to interrupt.
    let mut child =
        spawn(&["hunt", "--bugs", "fixed-election-timeout,ignore-reply-term", "--seeds", "1000", "--jobs", "1"]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    read_until(&mut stderr, |line| line.starts_with("hunting ignore-reply-term"));
    kill("-INT", &child);
    let text = rest(child.stdout.take().unwrap());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(text.contains("fixed-election-timeout       InitialElection2A"), "the finished row: {text}");
    assert!(text.contains("interrupted (SIGINT) while hunting ignore-reply-term"), "{text}");
    assert!(!text.contains("bug(s) not caught"), "{text}");
}
