//! `raftsim report FILE...`: the JSON lines of one sweep split over shards
//! (`--partition`, on many machines) merged back into the report one sweep
//! would print: the same table (digests included; seeds/s is `-`, no wall
//! clock is recorded), failure groups with rates and intervals, and replay
//! lines. Files must come from one sweep: the same header but the shard
//! number, and no (test, seed) in two files; anything else is a one-line error.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use tester::Check;

use super::engine::{RunFailure, SeedRun, TestSummary};
use super::jsonl::{parse_header, Header, RunLine};
use super::partition::Partition;
use super::{groups, table, Verdict};
use crate::{output, Rafts};

/// Shards merged into one sweep's summaries.
pub struct Merged {
    pub header: Header,
    pub summaries: Vec<TestSummary>,
    /// The shards read (`hash:2/4`, ...), by partition.
    pub shards: Vec<String>,
    /// The shards of the partition no file held.
    pub missing: Vec<String>,
}

/// The header with the shard number left out: what every shard must share.
fn shared_part(header: &Header) -> Header {
    let partition = header.partition.as_deref().and_then(|spec| spec.parse::<Partition>().ok());
    let partition = partition.map(|partition| match partition {
        Partition::Hash { count, .. } => format!("hash:?/{count}"),
        Partition::Slice { count, .. } => format!("slice:?/{count}"),
    });
    Header { partition, ..header.clone() }
}

/// The first field in which two headers differ, for the error.
fn difference(a: &Header, b: &Header) -> String {
    let (a, b) = (serde_json::to_value(shared_part(a)), serde_json::to_value(shared_part(b)));
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) = (a, b) else {
        return "their headers".into();
    };
    a.iter()
        .find(|(key, value)| b.get(*key) != Some(value))
        .map(|(key, value)| format!("{key} ({value} vs {})", b.get(key).cloned().unwrap_or_default()))
        .unwrap_or_else(|| "their headers".into())
}

struct Reader {
    merged: Option<Merged>,
    /// Which file each (test, seed) came from.
    seen: BTreeMap<(usize, u64), usize>,
    names: Vec<String>,
}

/// Reads and merges the files (`-`: stdin).
pub fn read(paths: &[PathBuf]) -> Result<Merged, String> {
    let mut reader = Reader { merged: None, seen: BTreeMap::new(), names: Vec::new() };
    for path in paths {
        let shown = path.display().to_string();
        let input: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(BufReader::new(io::stdin()))
        } else {
            Box::new(BufReader::new(File::open(path).map_err(|error| format!("cannot read {shown}: {error}"))?))
        };
        reader.names.push(if shown == "-" { "stdin".into() } else { shown });
        reader.file(input)?;
    }
    let mut merged = reader.merged.ok_or("no file to report on")?;
    if let Some(partition) = merged.header.partition.as_deref().and_then(|spec| spec.parse::<Partition>().ok()) {
        let (kind, count) = match partition {
            Partition::Hash { count, .. } => ("hash", count),
            Partition::Slice { count, .. } => ("slice", count),
        };
        merged.missing = (1..=count)
            .map(|shard| format!("{kind}:{shard}/{count}"))
            .filter(|spec| !merged.shards.contains(spec))
            .collect();
    }
    Ok(merged)
}

impl Reader {
    fn file(&mut self, input: Box<dyn BufRead>) -> Result<(), String> {
        let file = self.names.len() - 1;
        let name = self.names[file].clone();
        let mut lines = input.lines().enumerate();
        let header = loop {
            let Some((number, line)) = lines.next() else {
                return Err(format!("{name}: empty: not a raftsim sweep --json file"));
            };
            let line = line.map_err(|error| format!("cannot read {name}: {error}"))?;
            if line.trim().is_empty() {
                continue;
            }
            break parse_header(&line)
                .ok_or_else(|| format!("{name}:{}: not a raftsim sweep --json file (no header line)", number + 1))?;
        };
        self.add_header(header, &name)?;
        for (number, line) in lines {
            let line = line.map_err(|error| format!("cannot read {name}: {error}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{name}:{}", number + 1);
            let run: RunLine = serde_json::from_str(&line).map_err(|error| format!("{at}: not a run line: {error}"))?;
            self.add_run(run, file, &at)?;
        }
        Ok(())
    }

    fn add_header(&mut self, header: Header, name: &str) -> Result<(), String> {
        let shard = header.partition.clone().unwrap_or_else(|| "the whole sweep".into());
        let Some(merged) = &mut self.merged else {
            let mut summaries = Vec::new();
            for test in &header.tests {
                let case = crate::find_test(test).map_err(|why| format!("{name}: {why}"))?;
                summaries.push(TestSummary { name: case.name, ..TestSummary::default() });
            }
            self.merged = Some(Merged { header, summaries, shards: vec![shard], missing: Vec::new() });
            return Ok(());
        };
        if shared_part(&merged.header) != shared_part(&header) {
            let first = &self.names[0];
            return Err(format!(
                "cannot merge {name} with {first}: not shards of one sweep, they differ in {}",
                difference(&header, &merged.header)
            ));
        }
        if merged.shards.contains(&shard) {
            return Err(format!("overlapping shards: {name} is {shard} again"));
        }
        merged.shards.push(shard);
        Ok(())
    }

    fn add_run(&mut self, line: RunLine, file: usize, at: &str) -> Result<(), String> {
        let merged = self.merged.as_mut().expect("a header came first");
        let test = merged
            .summaries
            .iter()
            .position(|summary| summary.name == line.test)
            .ok_or_else(|| format!("{at}: test {} is not in the header", line.test))?;
        if let Some(earlier) = self.seen.insert((test, line.seed), file) {
            return Err(format!(
                "overlapping shards: {} seed {} is in both {} and {}",
                line.test, line.seed, self.names[earlier], self.names[file]
            ));
        }
        let trace_hash = u64::from_str_radix(&line.trace_hash, 16)
            .map_err(|_| format!("{at}: bad trace_hash {:?}", line.trace_hash))?;
        let outcome = match line.outcome.as_str() {
            "pass" => Ok(()),
            "fail" => {
                let name = line.check.as_deref().unwrap_or("");
                let check = Check::from_name(name).ok_or_else(|| format!("{at}: unknown check {name:?}"))?;
                Err(RunFailure { check, reason: line.reason.unwrap_or_default() })
            }
            other => return Err(format!("{at}: bad outcome {other:?} (expected pass or fail)")),
        };
        let run = SeedRun {
            test: merged.summaries[test].name,
            seed: line.seed,
            position: line.position,
            outcome,
            virtual_time_us: line.virtual_time_us,
            events: line.events,
            rpcs: line.rpcs,
            bytes: line.bytes,
            trace_hash,
            detail: Vec::new(),
            // Coverage is in the JSON lines but not merged by `report` (the sweep's --coverage prints it).
            coverage: tester::Coverage::default(),
        };
        merged.summaries[test].add(&run, None);
        Ok(())
    }
}

/// `raftsim report`: reads, merges and prints; the last line is `N passed, N failed`.
/// `rafts` name the Raft of the header again in replay commands (the program that merges them).
pub fn run(paths: &[PathBuf], rafts: &Rafts) -> Result<Verdict, String> {
    let merged = read(paths)?;
    output::to_stdout(|out| write(out, &merged, paths, rafts))?;
    let (passed, failed) = counts(&merged.summaries);
    Ok(match (passed + failed, failed) {
        (0, _) => Verdict::NoRuns,
        (_, 0) => Verdict::Passed,
        _ => Verdict::Failed,
    })
}

fn counts(summaries: &[TestSummary]) -> (u64, u64) {
    (summaries.iter().map(|s| s.passed).sum(), summaries.iter().map(|s| s.failed).sum())
}

/// The merged report.
pub fn write(out: &mut dyn Write, merged: &Merged, paths: &[PathBuf], rafts: &Rafts) -> io::Result<()> {
    let header = &merged.header;
    let rerun = rafts.rerun_for(&header.raft, header.bug.as_deref());
    let (passed, failed) = counts(&merged.summaries);
    let files =
        if paths.len() == 1 { Path::new(&paths[0]).display().to_string() } else { format!("{} files", paths.len()) };
    let shards = if header.partition.is_some() { format!(" ({})", merged.shards.join(", ")) } else { String::new() };
    writeln!(
        out,
        "report of {files}{shards}: {} test(s) × {} seeds ({}..), {}, raft {}, network {}",
        header.tests.len(),
        header.seeds,
        header.start,
        header.version,
        header.raft,
        header.network
    )?;
    table::write(out, &merged.summaries, &rerun)?;
    groups::write(out, &merged.summaries, &rerun)?;
    if !merged.missing.is_empty() {
        writeln!(out, "missing shard(s): {}: this is not the whole sweep", merged.missing.join(", "))?;
    }
    writeln!(out, "{passed} passed, {failed} failed")
}
