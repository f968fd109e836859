//! Shards merged across machines (issue 14): the deploy/ files parse and agree
//! on the shard count, and the whole path runs here: 4 shard processes at
//! once, merged by `raftsim report`, give the single sweep's table and
//! digests; overlapping shards and mixed sweeps are refused.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{raftsim, scratch, stderr, stdout};
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml(path: &str) -> Vec<Yaml> {
    let text = fs::read_to_string(repo().join(path)).unwrap_or_else(|error| panic!("{path}: {error}"));
    YamlLoader::load_from_str(&text).unwrap_or_else(|error| panic!("{path} is YAML: {error}"))
}

#[test]
fn the_kubernetes_indexed_job_runs_every_shard_once() {
    let documents = yaml("deploy/kubernetes/sweep-job.yaml");
    let job = documents.iter().find(|doc| doc["kind"].as_str() == Some("Job")).expect("a Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let shards = spec["completions"].as_i64().expect("completions");
    assert_eq!(spec["parallelism"].as_i64(), Some(shards));
    let container = &spec["template"]["spec"]["containers"][0];
    let env = container["env"].as_vec().unwrap();
    let value =
        |name: &str| env.iter().find(|var| var["name"].as_str() == Some(name)).and_then(|var| var["value"].as_str());
    assert_eq!(value("SHARDS"), Some(shards.to_string().as_str()), "SHARDS matches completions");
    let script = container["args"][0].as_str().unwrap();
    assert!(script.contains("K=$((JOB_COMPLETION_INDEX + 1))"), "{script}");
    assert!(script.contains("--partition \"hash:$K/$SHARDS\""), "{script}");
    assert!(script.contains("--json \"/results/shard-$K.jsonl\""), "{script}");
    let claim = documents.iter().find(|doc| doc["kind"].as_str() == Some("PersistentVolumeClaim")).unwrap();
    let volume = &spec["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"];
    assert_eq!(volume.as_str(), claim["metadata"]["name"].as_str());

    let report = &yaml("deploy/kubernetes/report-job.yaml")[0];
    let args = report["spec"]["template"]["spec"]["containers"][0]["args"][0].as_str().unwrap();
    assert_eq!(args, "raftsim report /results/shard-*.jsonl");
}

#[test]
fn the_ci_matrix_runs_every_shard_and_merges_them() {
    let workflow = &yaml("deploy/ci/sweep-shards.yml")[0];
    let sweep = &workflow["jobs"]["sweep"];
    let shards: Vec<i64> =
        sweep["strategy"]["matrix"]["shard"].as_vec().unwrap().iter().filter_map(Yaml::as_i64).collect();
    assert_eq!(shards, (1..=shards.len() as i64).collect::<Vec<_>>());
    let runs: Vec<&str> = sweep["steps"].as_vec().unwrap().iter().filter_map(|step| step["run"].as_str()).collect();
    let partition = format!("--partition hash:${{{{ matrix.shard }}}}/{}", shards.len());
    assert!(runs.iter().any(|run| run.contains(&partition) && run.contains("--json shard-")), "{runs:?}");
    let report = &workflow["jobs"]["report"];
    assert_eq!(report["needs"].as_str(), Some("sweep"));
    let runs: Vec<&str> = report["steps"].as_vec().unwrap().iter().filter_map(|step| step["run"].as_str()).collect();
    assert!(runs.contains(&"target/release/raftsim report shard-*.jsonl"), "{runs:?}");
}

/// The table's rows, less the seeds/s column (a report has no wall clock).
fn rows(text: &str) -> Vec<String> {
    let start = text.lines().position(|line| line.starts_with("test ")).expect("a table");
    text.lines()
        .skip(start + 1)
        .take_while(|line| {
            !line.starts_with("FAIL ") && !line.starts_with("failure groups") && line.split_whitespace().count() == 9
        })
        .map(|line| {
            let mut cells: Vec<&str> = line.split_whitespace().collect();
            cells.remove(7);
            cells.join(" ")
        })
        .collect()
}

/// From the table on: the FAIL and replay lines and the failure groups, less the speed lines.
fn failures(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| line.starts_with("FAIL ") || line.starts_with("     replay: ") || line.contains("% (95% CI"))
        .map(str::to_string)
        .collect()
}

fn shards_equal_the_sweep(pattern: &str, seeds: &str, bug: Option<&str>) {
    let dir = scratch(&format!("shards-{}", bug.unwrap_or("none")));
    let mut base = vec!["sweep", pattern, "--seeds", seeds, "--jobs", "1"];
    if let Some(bug) = bug {
        base.extend(["--bug", bug]);
    }
    let children: Vec<_> = (1..=4)
        .map(|k| {
            let json = dir.join(format!("shard-{k}.jsonl"));
            let partition = format!("hash:{k}/4");
            Command::new(env!("CARGO_BIN_EXE_raftsim"))
                .args(&base)
                .args(["--partition", &partition, "--json"])
                .arg(&json)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(matches!(child.wait().unwrap().code(), Some(0 | 100)));
    }
    let paths: Vec<String> = (1..=4).map(|k| dir.join(format!("shard-{k}.jsonl")).display().to_string()).collect();
    let mut args = vec!["report"];
    args.extend(paths.iter().map(String::as_str));
    let report = raftsim(&args);
    let whole = raftsim(&base);
    assert_eq!(report.status.code(), whole.status.code(), "{}", stderr(&report));
    let (report, whole) = (stdout(&report), stdout(&whole));
    assert!(!rows(&whole).is_empty());
    assert_eq!(rows(&report), rows(&whole), "the merged table and digests are the sweep's:\n{report}\n{whole}");
    assert_eq!(failures(&report), failures(&whole));
    assert_eq!(report.lines().last(), whole.lines().last(), "the counts line");
    assert!(report.starts_with("report of 4 files (hash:1/4, hash:2/4, hash:3/4, hash:4/4): "), "{report}");
    assert!(!report.contains("missing shard"), "{report}");

    // Three of four shards: merged, and the missing one is named.
    let three = raftsim(&["report", &paths[0], &paths[1], &paths[3]]);
    assert!(stdout(&three).contains("missing shard(s): hash:3/4: this is not the whole sweep"), "{}", stdout(&three));
}

#[test]
fn four_shard_processes_merged_equal_the_single_sweep() {
    shards_equal_the_sweep("2A,2B", "25", None);
}

#[cfg(feature = "planted-bugs")]
#[test]
fn four_shards_with_failures_merge_to_the_same_groups_and_replay_lines() {
    shards_equal_the_sweep("2B", "20", Some("no-up-to-date-check"));
}

#[test]
fn overlapping_shards_and_mixed_sweeps_are_refused() {
    let dir = scratch("report-refusals");
    let file = |name: &str, args: &[&str]| {
        let path = dir.join(name);
        let mut all = vec!["sweep", "InitialElection2A", "--json", path.to_str().unwrap()];
        all.extend(args);
        assert!(matches!(raftsim(&all).status.code(), Some(0 | 4)));
        path.display().to_string()
    };
    let one = file("one.jsonl", &["--seeds", "10", "--partition", "hash:1/2"]);
    let two = file("two.jsonl", &["--seeds", "20", "--partition", "hash:2/2"]);
    let whole = file("whole.jsonl", &["--seeds", "10"]);
    let again = file("again.jsonl", &["--seeds", "10", "--partition", "hash:1/2"]);
    let refuse = |args: &[&str], why: &str| {
        let output = raftsim(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let text = stderr(&output);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains(why), "{why}: {text}");
    };
    refuse(&["report", &one, &two], "not shards of one sweep, they differ in seeds (20 vs 10)");
    refuse(&["report", &one, &again], "overlapping shards: ");
    refuse(&["report", &whole, &whole], "overlapping shards: ");
    refuse(&["report", &one, &whole], "not shards of one sweep, they differ in partition");
    let junk = dir.join("junk.jsonl");
    fs::write(&junk, "{\"test\":\"InitialElection2A\"}\n").unwrap();
    refuse(&["report", junk.to_str().unwrap()], "junk.jsonl:1: not a raftsim sweep --json file (no header line)");
    refuse(&["report", dir.join("absent.jsonl").to_str().unwrap()], "cannot read ");
}
