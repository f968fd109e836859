//! `sweep --json FILE`: one JSON object per run, one per line, in the sweep's
//! run order (test by test, regression seeds first, then seeds ascending),
//! whatever order the workers finish in, so the file does not depend on the
//! number of workers. Lines that finish early wait in a small reorder buffer
//! (bounded by how far the fastest worker gets ahead of the slowest run).
//! The file appears only when the sweep is over (see [`crate::output`]).
//!
//! `{"test":"InitialElection2A","seed":0,"outcome":"fail","check":"checkOneLeader","reason":"expected one leader, got none","virtual_time_us":5001000,"events":250,"rpcs":96,"bytes":768,"trace_hash":"21a5f2de7616f337","coverage":{"candidates>1":2,"crash-persist-send":0,"leader-lost-uncommitted":0,"reply-overtaken":3,"snapshot-late-or-twice":0,"split-vote":1,"stale-term-delivered":4,"suffix-truncated":0}}`
//!
//! `coverage` counts how often the run reached each bug-prone situation (see [`super::coverage`]).
//!
//! The trace hash is a hex string: a 64-bit number does not survive a
//! JavaScript or jq reader as a number.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::engine::{SeedRun, WorkList};
use crate::output::AtomicFile;

#[derive(Serialize)]
struct Line<'a> {
    test: &'a str,
    seed: u64,
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
    /// Starts the file; fails at once if it cannot be written.
    pub fn create(path: &Path) -> Result<JsonLines, String> {
        Ok(JsonLines { file: AtomicFile::create(path)?, waiting: BTreeMap::new(), next: 0, error: None })
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
            if let Err(error) = writeln!(self.file.writer(), "{line}") {
                self.error = Some(format!("cannot write {}: {error}", self.file.path().display()));
            }
        }
    }

    /// Writes what is left (runs after a `--fail-fast` stop leave gaps) and puts the file in place.
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
