//! Output files as a process sees them (issue 14): a FIFO is written into,
//! not replaced; a symlink stays a link; `-` is stdout; `/dev/stdout` works;
//! a full disk keeps the report and exits 110; no temporary file is left.

#![cfg(unix)]

mod common;

use std::fs;
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::process::{Command, Stdio};

use common::{files_in, raftsim, scratch, stderr, stdout};

fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn a_fifo_gets_the_lines_and_stays_a_fifo() {
    let dir = scratch("fifo");
    let fifo = dir.join("runs.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        #[allow(clippy::disallowed_methods)] // the FIFO's reader, outside any simulation
        std::thread::spawn(move || fs::read_to_string(fifo).expect("the FIFO reads to its end"))
    };
    let output = raftsim(&["sweep", "2A", "--seeds", "5", "--json", fifo.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 1 + 15, "the header and a line per run: {text}");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "still a FIFO");
    assert_eq!(files_in(&dir), vec!["runs.fifo"], "no temporary file left");
}

#[test]
fn a_symlink_stays_a_link_and_its_target_gets_the_data() {
    let dir = scratch("symlink");
    fs::write(dir.join("real.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("real.jsonl", dir.join("link.jsonl")).unwrap();
    let output =
        raftsim(&["sweep", "InitialElection2A", "--seeds", "4", "--json", dir.join("link.jsonl").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::symlink_metadata(dir.join("link.jsonl")).unwrap().file_type().is_symlink(), "still a link");
    let text = fs::read_to_string(dir.join("real.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.starts_with("{\"raftsim\":"), "{text}");
    assert_eq!(files_in(&dir), vec!["link.jsonl", "real.jsonl"], "no temporary file left");
}

#[test]
fn a_dash_is_stdout_and_the_report_moves_to_stderr() {
    let dir = scratch("dash");
    let output = raftsim(&["sweep", "2A", "--seeds", "3", "--json", "-"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1 + 9, "only JSON on stdout: {text}");
    assert!(text.lines().all(|line| serde_json::from_str::<serde_json::Value>(line).is_ok()), "{text}");
    assert!(stderr(&output).ends_with("9 passed, 0 failed\n"), "{}", stderr(&output));
    assert!(files_in(&dir).is_empty(), "no file named '-' anywhere");
    assert!(!std::path::Path::new("-").exists(), "no file named '-' in the working directory");

    // And `report -` reads it back from stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["report", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&output.stdout).unwrap();
    let report = child.wait_with_output().unwrap();
    assert_eq!(report.status.code(), Some(0));
    assert!(stdout(&report).ends_with("9 passed, 0 failed\n"), "{}", stdout(&report));
}

#[test]
fn dev_stdout_is_written_into() {
    let output = raftsim(&["sweep", "InitialElection2A", "--seeds", "2", "--json", "/dev/stdout"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().filter(|line| line.starts_with('{')).count(), 3, "{text}");
    assert!(text.ends_with("2 passed, 0 failed\n"), "{text}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_keeps_the_report_and_exits_110() {
    let output = raftsim(&["sweep", "2A", "--seeds", "3", "--json", "/dev/full"]);
    assert_eq!(output.status.code(), Some(110), "{}", stderr(&output));
    assert!(stderr(&output).starts_with("raftsim: cannot write /dev/full: "), "{}", stderr(&output));
    assert!(stdout(&output).ends_with("9 passed, 0 failed\n"), "the table is kept: {}", stdout(&output));
    assert!(fs::metadata("/dev/full").unwrap().file_type().is_char_device(), "/dev/full is still a device");
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_to_a_full_stdout_exits_110() {
    let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(["sweep", "InitialElection2A", "--seeds", "2"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(110), "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot write to stdout"), "{}", stderr(&output));
}
