//! The Raft under test, as the command line chose it (`--raft NAME`,
//! `--node-cmd CMD`, `--bug NAME`): it makes the nodes of every run, and it
//! is written into every replay command, JSON header and report, so that a
//! replay runs the Raft that failed.

use std::fmt;
use std::sync::Arc;

use api::Factory;
use tester::Options;

use crate::rafts::{self, Rafts};
use crate::Rerun;

/// Which Raft runs, and how to name it again.
#[derive(Clone)]
pub struct Selection {
    /// The Raft's name (`core`, `raft-rs`, a user's), or `None` for a node command.
    raft: Option<String>,
    /// `--node-cmd CMD`: a node process speaking the node protocol.
    node_cmd: Option<String>,
    /// `--bug NAME`: a planted bug of our core.
    bug: Option<&'static str>,
    factory: Arc<dyn Factory>,
    /// The command that runs a seed of this Raft again.
    rerun: Rerun,
}

impl Selection {
    /// Our core, correct.
    pub fn core() -> Selection {
        Selection::core_with(None).expect("our correct core needs no planted bug")
    }

    /// Our core with a planted bug (a name [`crate::bugs::lookup`] accepted), or correct.
    pub fn core_with(bug: Option<&'static str>) -> Result<Selection, String> {
        Rafts::builtin().select(Some(rafts::CORE), None, bug)
    }

    /// From the command line's flags, among the built-in Rafts (see [`Rafts::select`]).
    pub fn from_flags(
        raft: Option<&str>,
        node_cmd: Option<&str>,
        bug: Option<&'static str>,
    ) -> Result<Selection, String> {
        Rafts::builtin().select(raft, node_cmd, bug)
    }

    /// A Raft given as a factory (a user's own, through the library): named by the factory.
    pub fn from_factory(factory: Arc<dyn Factory>) -> Selection {
        let name = factory.name().to_string();
        Selection::named(&name, None, factory, &Rafts::builtin())
    }

    /// The Raft `name` of `rafts` (its factory made already).
    pub(crate) fn named(name: &str, bug: Option<&'static str>, factory: Arc<dyn Factory>, rafts: &Rafts) -> Selection {
        let rerun = rafts.rerun_for(name, bug);
        Selection { raft: Some(name.to_string()), node_cmd: None, bug, factory, rerun }
    }

    /// A node process run by `cmd` (its factory made already).
    pub(crate) fn node_cmd(cmd: &str, factory: Arc<dyn Factory>, rafts: &Rafts) -> Selection {
        let mut selection =
            Selection { raft: None, node_cmd: Some(cmd.to_string()), bug: None, factory, rerun: Rerun::default() };
        selection.rerun = rafts.rerun_for(&selection.name(), None);
        selection
    }

    pub fn bug(&self) -> Option<&'static str> {
        self.bug
    }

    /// `--raft NAME`'s name, if one was given (not our core).
    pub fn raft_name(&self) -> Option<&str> {
        self.raft.as_deref()
    }

    /// The factory that makes this Raft's nodes.
    pub fn factory(&self) -> Arc<dyn Factory> {
        Arc::clone(&self.factory)
    }

    /// The run options (invariants and liveness on) for this Raft.
    pub fn options(&self) -> Options {
        Options::new(self.factory())
    }

    /// The Raft's name, as JSON headers and reports record it: `core`,
    /// `raft-rs`, `node-cmd: python3 raft.py`.
    pub fn name(&self) -> String {
        match (&self.raft, &self.node_cmd) {
            (_, Some(cmd)) => format!("node-cmd: {cmd}"),
            (Some(name), None) => name.clone(),
            (None, None) => rafts::CORE.to_string(),
        }
    }

    /// A name fit for a file, for a Raft other than our core: `raft-rs`,
    /// `node-cmd-python3-raft.py`; `None` for our core.
    pub fn file_name(&self) -> Option<String> {
        let name = match (&self.raft, &self.node_cmd) {
            (_, Some(cmd)) => format!("node-cmd {cmd}"),
            (Some(name), None) if name != rafts::CORE => name.clone(),
            _ => return None,
        };
        let safe = |c: char| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' };
        Some(
            name.chars()
                .map(safe)
                .collect::<String>()
                .split('-')
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("-"),
        )
    }

    /// The flags that choose this Raft again: ` --raft raft-rs`, ` --node-cmd 'python3 raft.py'`, ` --bug NAME`
    /// (none for our core in plain `raftsim`).
    pub fn flags(&self) -> String {
        self.rerun.flags().to_string()
    }

    /// The command that replays a seed of this Raft: the program that chose it, and [`Selection::flags`].
    pub fn rerun(&self) -> Rerun {
        self.rerun.clone()
    }

    /// `PROGRAM replay TEST --seed N FLAGS`.
    pub fn replay_command(&self, test: &str, seed: u64) -> String {
        self.rerun.command(test, seed)
    }
}

impl Default for Selection {
    fn default() -> Selection {
        Selection::core()
    }
}

impl fmt::Debug for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Selection({}{})", self.name(), self.bug.map(|bug| format!(", bug {bug}")).unwrap_or_default())
    }
}

impl PartialEq for Selection {
    /// The same flags choose the same Raft.
    fn eq(&self, other: &Selection) -> bool {
        (self.name(), self.bug) == (other.name(), other.bug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_name_the_raft_again_and_conflicts_are_refused() {
        assert_eq!(Selection::core().flags(), "");
        assert_eq!(Selection::core().name(), "core");
        let cmd = Selection::from_flags(None, Some(r#"python3 "it's.py""#), None).unwrap();
        assert_eq!(cmd.flags(), r#" --node-cmd 'python3 "it'\''s.py"'"#);
        assert_eq!(cmd.replay_command("A", 2), format!("raftsim replay A --seed 2{}", cmd.flags()));
        assert_eq!(cmd.name(), r#"node-cmd: python3 "it's.py""#);
        assert!(Selection::from_flags(Some("core"), None, None).unwrap().flags().is_empty());
        assert!(Selection::from_flags(Some("nope"), None, None).unwrap_err().contains("unknown Raft 'nope'"));
        assert!(Selection::from_flags(Some("x"), Some("y"), None).is_err());
        assert!(Selection::from_flags(Some("core"), Some("y"), None).is_err());
        assert!(Selection::from_flags(None, Some("y"), Some("fixed-election-timeout")).is_err());
    }
}
