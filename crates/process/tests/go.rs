//! The Go example (examples/go/main.go, standard library only: the shape a
//! Go lab solution takes under the node protocol) under the lab's 2A and 2B
//! tests: it must pass; with its planted bug (`--bug vote-twice`) a 2A sweep
//! must fail. Behind the `go-example` feature (CI turns it on, with
//! Debian's golang-go installed); with the feature and without `go`, these
//! tests fail loudly. `RAFTSIM_GO_SEEDS` sets the seeds per test (default 30).
#![cfg(feature = "go-example")]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The example, built once into a temp dir.
fn binary() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/go/main.go");
        let dir = std::env::temp_dir().join(format!("raftsim-go-{}", std::process::id()));
        let out = dir.join("raft-node");
        let built = Command::new("go")
            .arg("build")
            .arg("-o")
            .arg(&out)
            .arg(&source)
            .env("GOCACHE", dir.join("cache"))
            .env("GOPATH", dir.join("path"))
            .output()
            .unwrap_or_else(|e| panic!("the go-example feature needs `go` (Debian: golang-go): {e}"));
        assert!(built.status.success(), "go build failed: {}", String::from_utf8_lossy(&built.stderr));
        out.display().to_string()
    })
}

fn options(flags: &str) -> tester::Options {
    let command = format!("'{}' {flags}", binary());
    tester::Options::new(sims::rafts::process_factory(&command).expect("a command line"))
}

fn seeds() -> u64 {
    std::env::var("RAFTSIM_GO_SEEDS").ok().and_then(|text| text.parse().ok()).unwrap_or(30)
}

fn failures(part: &str, options: &tester::Options) -> Vec<String> {
    let mut failures = Vec::new();
    for case in sims::matching(part) {
        for seed in 0..seeds() {
            if let Err(failure) = sims::run_test(case, seed, options).outcome {
                failures.push(format!("{} seed {seed}: {failure}", case.name));
            }
        }
    }
    failures
}

#[test]
fn go_raft_passes_2a_and_2b() {
    let options = options("");
    let failures: Vec<String> = ["2A", "2B"].iter().flat_map(|part| failures(part, &options)).collect();
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn go_raft_with_its_planted_bug_fails_a_2a_sweep() {
    assert!(!failures("2A", &options("--bug vote-twice")).is_empty(), "the planted bug went unnoticed");
}
