//! `sweep --json FILE`: a header line saying what was swept, then one JSON
//! object per run, one per line, in the sweep's run order (test by test,
//! regression seeds first, then seeds ascending; round-robin over the tests
//! with `--until-fail` and `--time`), whatever order the workers finish in,
//! so the file does not depend on the number of workers. Lines that finish
//! early wait in a small reorder buffer (bounded by how far the fastest
//! worker gets ahead of the slowest run). A regular file appears only when
//! the sweep is over; a FIFO or stdout (`-`) gets each line as soon as it is
//! in order (see [`crate::output`]). `raftsim report` reads these files back.
//!
//! `{"raftsim":{"version":"0.1.0 (commit 1a2b3c4)","raft":"core","network":"labrpc","tests":["InitialElection2A"],"start":0,"seeds":10,...}}`
//! `{"test":"InitialElection2A","seed":0,"position":0,"outcome":"fail","check":"checkOneLeader","reason":"expected one leader, got none","virtual_time_us":5001000,"events":250,"rpcs":96,"bytes":768,"trace_hash":"21a5f2de7616f337","coverage":{"candidates>1":2,"crash-persist-send":0,"leader-lost-uncommitted":0,"reply-overtaken":3,"snapshot-late-or-twice":0,"split-vote":1,"stale-term-delivered":4,"suffix-truncated":0}}`
//!
//! `coverage` counts how often the run reached each bug-prone situation (see [`super::coverage`]).
//!
//! The trace hash is a hex string: a 64-bit number does not survive a
//! JavaScript or jq reader as a number.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::engine::{SeedRun, WorkList};
use crate::output::AtomicFile;

/// What a sweep was: every shard of one sweep has the same header but its
/// partition's shard number. `raftsim report` refuses to merge others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// raftsim's version and commit.
    pub version: String,
    /// The Raft under test ("core": this repository's).
    pub raft: String,
    /// The network model ("labrpc").
    pub network: String,
    pub tests: Vec<String>,
    pub start: u64,
    pub seeds: u64,
    pub bug: Option<String>,
    /// `hash:K/N` or `slice:K/N`.
    pub partition: Option<String>,
    pub no_invariants: bool,
    pub check_determinism: bool,
    pub fail_fast: bool,
    pub until_fail: bool,
    /// Whether a `--time` budget chose how many runs were made.
    pub time_budget: bool,
    /// A digest of the regression seeds run first (0: none).
    pub regressions: String,
}

#[derive(Serialize, Deserialize)]
struct HeaderLine {
    raftsim: Header,
}

/// The header as its JSON line, without a newline.
pub fn header_line(header: &Header) -> String {
    serde_json::to_string(&HeaderLine { raftsim: header.clone() }).expect("plain data serializes")
}

/// A header line read back, or `None` if the line is not one.
pub fn parse_header(line: &str) -> Option<Header> {
    serde_json::from_str::<HeaderLine>(line).ok().map(|line| line.raftsim)
}

/// One run's line read back.
#[derive(Clone, Debug, Deserialize)]
pub struct RunLine {
    pub test: String,
    pub seed: u64,
    pub position: u64,
    pub outcome: String,
    pub check: Option<String>,
    pub reason: Option<String>,
    pub virtual_time_us: u64,
    pub events: u64,
    pub rpcs: u64,
    pub bytes: u64,
    pub trace_hash: String,
}

#[derive(Serialize)]
struct Line<'a> {
    test: &'a str,
    seed: u64,
    position: u64,
    outcome: &'static str,
    check: Option<&'a str>,
    reason: Option<&'a str>,
    virtual_time_us: u64,
    events: u64,
    rpcs: u64,
    bytes: u64,
    trace_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    bug: Option<&'a str>,
    coverage: BTreeMap<&'static str, u64>,
}

/// One run as a JSON object, without a newline.
pub fn line(run: &SeedRun, bug: Option<&str>) -> String {
    let failure = run.outcome.as_ref().err();
    let line = Line {
        test: run.test,
        seed: run.seed,
        position: run.position,
        outcome: if failure.is_some() { "fail" } else { "pass" },
        check: failure.map(|failure| failure.check.name()),
        reason: failure.map(|failure| failure.reason.as_str()),
        virtual_time_us: run.virtual_time_us,
        events: run.events,
        rpcs: run.rpcs,
        bytes: run.bytes,
        trace_hash: format!("{:016x}", run.trace_hash),
        bug,
        coverage: super::coverage::json(&run.coverage),
    };
    serde_json::to_string(&line).expect("plain data serializes")
}

/// The JSON-lines file being written.
pub struct JsonLines {
    file: AtomicFile,
    /// Lines that finished before an earlier one, by index.
    waiting: BTreeMap<u64, String>,
    /// The next index to write.
    next: u64,
    error: Option<String>,
}

impl JsonLines {
    /// Starts the file with its header line; fails at once if it cannot be written.
    pub fn create(path: &Path, header: &Header) -> Result<JsonLines, String> {
        let mut lines = JsonLines { file: AtomicFile::create(path)?, waiting: BTreeMap::new(), next: 0, error: None };
        lines.write(&header_line(header));
        Ok(lines)
    }

    /// Takes the line of the run at `index`, and writes every line now in order.
    pub fn push(&mut self, index: u64, line: String, work: &WorkList) {
        self.waiting.insert(index, line);
        while self.next < work.len() {
            if work.item(self.next).is_none() {
                self.next += 1;
                continue;
            }
            let Some(line) = self.waiting.remove(&self.next) else { break };
            self.write(&line);
            self.next += 1;
        }
    }

    fn write(&mut self, line: &str) {
        if self.error.is_none() {
            let streams = self.file.streams();
            let written = writeln!(self.file.writer(), "{line}");
            let flushed = written.and_then(|()| if streams { self.file.writer().flush() } else { Ok(()) });
            if let Err(error) = flushed {
                self.error = Some(format!("cannot write {}: {error}", self.file.path().display()));
            }
        }
    }

    /// Writes what is left (runs after a stop leave gaps) and puts the file in
    /// place. On an error the temporary file is removed and the target kept as it was.
    pub fn finish(mut self) -> Result<(), String> {
        for line in std::mem::take(&mut self.waiting).into_values() {
            self.write(&line);
        }
        match self.error.take() {
            Some(error) => Err(error),
            None => self.file.commit(),
        }
    }
}
