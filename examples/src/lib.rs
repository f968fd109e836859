//! A deliberately small Raft written against raftsim's node API, the way a
//! student writes the 6.824 lab's 2A and 2B (Raft §5, Figure 2): leader
//! election and log replication, with persistence of Figure 2's three
//! persistent fields. No snapshots (2D), no optimizations beyond the lab's
//! "fast backup" hint. It is an example of *using* raftsim, not a second
//! core: read it next to docs/testing-your-own-raft.md.
//!
//! - [`ExampleFactory`] is the lab's Make: a fresh node, or one restored from
//!   what it persisted;
//! - [`ExampleRaft`] implements [`api::Node`] (every input takes `now`;
//!   outputs are drained in order, a `Persist` before the messages that
//!   depend on it) and [`api::Inspect`] (so raftsim checks Raft's safety
//!   invariants after every step);
//! - messages are serde enums encoded with postcard; every request is a
//!   call, answered in the step that handles it.

mod message;
mod raft;

pub use raft::ExampleRaft;

use api::{Factory, MakeArgs, Node};

/// Makes [`ExampleRaft`] nodes.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExampleFactory;

impl Factory for ExampleFactory {
    fn name(&self) -> &str {
        "example"
    }

    fn make(&self, args: MakeArgs) -> Result<Box<dyn Node>, String> {
        Ok(Box::new(ExampleRaft::make(args)?))
    }
}
