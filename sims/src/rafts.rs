//! The Rafts a sweep can put under the lab's tests, by the name `--raft`
//! takes; and our own core's planted bugs (LAB-SPEC §6), which belong to the
//! core's factory, never to the seam.

use std::sync::Arc;

use api::Factory;
use tester::Options;

/// The Raft names this build knows, the default first.
pub const RAFTS: &[&str] = &["core"];

/// Our own core, correct.
pub fn core() -> Arc<dyn Factory> {
    Arc::new(raft::CoreFactory::new())
}

/// The factory for a Raft by name, with a planted bug of our core if `bug` is given.
pub fn factory(raft: &str, bug: Option<&str>) -> Result<Arc<dyn Factory>, String> {
    if raft != "core" {
        return Err(format!("unknown Raft '{raft}' (known: {})", RAFTS.join(", ")));
    }
    match bug {
        None => Ok(core()),
        Some(name) => core_with_bug(name),
    }
}

#[cfg(feature = "planted-bugs")]
fn core_with_bug(name: &str) -> Result<Arc<dyn Factory>, String> {
    let bug = raft::Bug::from_name(name)
        .ok_or_else(|| format!("unknown planted bug '{name}' (`raftsim bugs` lists them)"))?;
    Ok(Arc::new(raft::CoreFactory::with_bug(bug)))
}

#[cfg(not(feature = "planted-bugs"))]
fn core_with_bug(name: &str) -> Result<Arc<dyn Factory>, String> {
    Err(format!("planted bug '{name}' needs a build with the planted-bugs feature"))
}

/// A Raft in its own process, speaking the node protocol (docs/node-protocol.md):
/// `cmd` is its command line, e.g. `python3 examples/python/raft.py` (what
/// `--node-cmd` takes). An error is a one-line reason (an empty command, an open quote).
pub fn process_factory(cmd: &str) -> Result<Arc<dyn Factory>, String> {
    Ok(Arc::new(process::ProcessFactory::new(cmd)?))
}

/// The default options (invariants and liveness on) over our correct core.
pub fn core_options() -> Options {
    Options::new(core())
}

/// The default options over our core with the planted bug `bug`.
pub fn options_with_bug(bug: Option<&str>) -> Result<Options, String> {
    Ok(Options::new(factory("core", bug)?))
}
