//! `raftsim-node`: raftsim's own Raft core served through the node protocol
//! on stdin/stdout (docs/node-protocol.md), the reference a process node's
//! runs are compared with: its trace hashes equal the in-process core's.
//!
//! Usage: `raftsim-node [--bug NAME]` (a planted bug needs the
//! `planted-bugs` feature). Exit codes: 0 when stdin ends, 2 for bad
//! arguments, 1 for a protocol error (reason on stderr).

use std::io::{stdin, stdout, BufWriter};
use std::process::ExitCode;

fn factory(args: &[String]) -> Result<raft::CoreFactory, String> {
    match args {
        [] => Ok(raft::CoreFactory::new()),
        [flag, name] if flag == "--bug" => with_bug(name),
        _ => Err(format!("usage: raftsim-node [--bug NAME] (got {args:?})")),
    }
}

#[cfg(feature = "planted-bugs")]
fn with_bug(name: &str) -> Result<raft::CoreFactory, String> {
    let bug = raft::Bug::from_name(name).ok_or_else(|| format!("unknown planted bug '{name}'"))?;
    Ok(raft::CoreFactory::with_bug(bug))
}

#[cfg(not(feature = "planted-bugs"))]
fn with_bug(name: &str) -> Result<raft::CoreFactory, String> {
    Err(format!("planted bug '{name}' needs a build with the planted-bugs feature"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let factory = match factory(&args) {
        Ok(factory) => factory,
        Err(reason) => {
            eprintln!("raftsim-node: {reason}");
            return ExitCode::from(2);
        }
    };
    let output = BufWriter::with_capacity(1 << 16, stdout().lock());
    match process::serve(&factory, stdin().lock(), output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("raftsim-node: {reason}");
            ExitCode::FAILURE
        }
    }
}
