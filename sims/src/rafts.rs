//! The built-in Rafts a sweep can put under the lab's tests, by the name
//! `--raft` takes: our own core and tikv's raft-rs in three variants
//! (crates/raftrs); and our core's planted bugs (LAB-SPEC §6), which belong
//! to the core's factory, never to the seam. A user's own Raft (like the
//! small example of examples/) is no built-in: its binary registers it with
//! `raftsim::main_with` (harness::Rafts).

use std::sync::Arc;

use api::Factory;
use raftrs::{RaftRsFactory, Variant};
use tester::Options;

/// The Raft names this build knows, the default first.
pub const RAFTS: &[&str] = &["core", "raft-rs", "raft-rs-prevote", "raft-rs-prevote-cq"];

/// One line about each Raft, for `raftsim list --rafts`.
pub fn description(raft: &str) -> Option<&'static str> {
    match raft {
        "core" => Some("raftsim's own sans-IO core (crates/raft)"),
        other => Variant::from_name(other).map(Variant::description),
    }
}

/// Our own core, correct.
pub fn core() -> Arc<dyn Factory> {
    Arc::new(raft::CoreFactory::new())
}

/// The factory for a Raft by name, with a planted bug of our core if `bug` is given.
pub fn factory(raft: &str, bug: Option<&str>) -> Result<Arc<dyn Factory>, String> {
    let factory: Arc<dyn Factory> = match raft {
        "core" => {
            return match bug {
                None => Ok(core()),
                Some(name) => core_with_bug(name),
            }
        }
        other => match Variant::from_name(other) {
            Some(variant) => Arc::new(RaftRsFactory::new(variant)),
            None => return Err(format!("unknown Raft '{raft}' (known: {})", RAFTS.join(", "))),
        },
    };
    match bug {
        None => Ok(factory),
        Some(name) => Err(format!("planted bug '{name}' belongs to the core; Raft '{raft}' has none")),
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

/// The default options over the Raft named `raft`.
pub fn options_for(raft: &str) -> Result<Options, String> {
    Ok(Options::new(factory(raft, None)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_a_factory_of_that_name_and_a_description() {
        for &name in RAFTS {
            let factory = factory(name, None).expect("a known Raft");
            assert_eq!(factory.name(), name);
            assert!(description(name).is_some(), "{name} has no description");
        }
        assert!(factory("nope", None).err().is_some_and(|e| e.contains("unknown Raft 'nope'")));
        assert!(factory("raft-rs", Some("x")).err().is_some_and(|e| e.contains("belongs to the core")));
    }
}
