//! The Raft under test, as the command line chose it (`--raft NAME`,
//! `--node-cmd CMD`, `--bug NAME`): it makes the nodes of every run, and it
//! is written into every replay command, JSON header and report, so that a
//! replay runs the Raft that failed.

use std::fmt;
use std::sync::Arc;

use api::Factory;
use tester::Options;

/// Which Raft runs, and how to name it again.
#[derive(Clone)]
pub struct Selection {
    /// `--raft NAME`; `None` is our core.
    raft: Option<String>,
    /// `--node-cmd CMD`: a node process speaking the node protocol.
    node_cmd: Option<String>,
    /// `--bug NAME`: a planted bug of our core.
    bug: Option<&'static str>,
    factory: Arc<dyn Factory>,
}

impl Selection {
    /// Our core, correct.
    pub fn core() -> Selection {
        Selection { raft: None, node_cmd: None, bug: None, factory: sims::rafts::core() }
    }

    /// Our core with a planted bug (a name [`crate::bugs::lookup`] accepted), or correct.
    pub fn core_with(bug: Option<&'static str>) -> Result<Selection, String> {
        let factory = sims::rafts::factory("core", bug)?;
        Ok(Selection { raft: None, node_cmd: None, bug, factory })
    }

    /// From the command line's flags: at most one of `--raft` and `--node-cmd`,
    /// and `--bug` only with our core.
    pub fn from_flags(
        raft: Option<&str>,
        node_cmd: Option<&str>,
        bug: Option<&'static str>,
    ) -> Result<Selection, String> {
        if raft.is_some() && node_cmd.is_some() {
            return Err("--raft and --node-cmd each choose the Raft under test: give one".into());
        }
        match (raft.filter(|name| *name != "core"), node_cmd) {
            (Some(_), Some(_)) => unreachable!("refused above"),
            (_, Some(_)) | (Some(_), _) if bug.is_some() => {
                Err("--bug plants a bug in our own core: it does not go with --raft or --node-cmd".into())
            }
            (None, Some(cmd)) => {
                let factory = sims::rafts::process_factory(cmd)?;
                Ok(Selection { raft: None, node_cmd: Some(cmd.to_string()), bug: None, factory })
            }
            (Some(name), None) => {
                let factory = sims::rafts::factory(name, None)?;
                Ok(Selection { raft: Some(name.to_string()), node_cmd: None, bug: None, factory })
            }
            (None, None) => Selection::core_with(bug),
        }
    }

    /// A Raft given as a factory (a user's own, through the library): named by the factory.
    pub fn from_factory(factory: Arc<dyn Factory>) -> Selection {
        Selection { raft: Some(factory.name().to_string()), node_cmd: None, bug: None, factory }
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
            (None, None) => "core".to_string(),
        }
    }

    /// A name fit for a file, for a Raft other than our core: `raft-rs`,
    /// `node-cmd-python3-raft.py`; `None` for our core.
    pub fn file_name(&self) -> Option<String> {
        let name = match (&self.raft, &self.node_cmd) {
            (None, None) => return None,
            (Some(name), None) => name.clone(),
            (_, Some(cmd)) => format!("node-cmd {cmd}"),
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

    /// The flags that choose this Raft again: ` --raft raft-rs`, ` --node-cmd 'python3 raft.py'`, ` --bug NAME`.
    pub fn flags(&self) -> String {
        let mut flags = String::new();
        if let Some(name) = &self.raft {
            flags.push_str(&format!(" --raft {name}"));
        }
        if let Some(cmd) = &self.node_cmd {
            flags.push_str(&format!(" --node-cmd '{}'", cmd.replace('\'', r"'\''")));
        }
        if let Some(bug) = self.bug {
            flags.push_str(&format!(" --bug {bug}"));
        }
        flags
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
        assert_eq!(cmd.name(), r#"node-cmd: python3 "it's.py""#);
        assert!(Selection::from_flags(Some("core"), None, None).unwrap().flags().is_empty());
        assert!(Selection::from_flags(Some("nope"), None, None).unwrap_err().contains("unknown Raft 'nope'"));
        assert!(Selection::from_flags(Some("x"), Some("y"), None).is_err());
        assert!(Selection::from_flags(Some("core"), Some("y"), None).is_err());
        assert!(Selection::from_flags(None, Some("y"), Some("fixed-election-timeout")).is_err());
    }
}
