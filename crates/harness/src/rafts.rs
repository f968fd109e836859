//! The Rafts one program can put under the lab's tests, by the name `--raft`
//! takes: the built-ins of [`sims::rafts`] (our core, raft-rs), and a user's
//! own, registered by name (what `raftsim::main_with` does for a user's
//! binary). No global: the command line passes one [`Rafts`] to whatever
//! chooses a Raft ([`Rafts::select`]), lists them or names a run again.
//!
//! The default Raft (no `--raft`) is the first one the user registered, else
//! our core; a printed replay command names the program that printed it and
//! always says `--raft NAME`, except for our core run by a program whose
//! default is our core (plain `raftsim`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use api::Factory;

use crate::{Rerun, Selection};

/// The name of our core, the default of a program that registers none.
pub const CORE: &str = "core";

/// The Rafts of one program, and the program's name for replay commands.
#[derive(Clone)]
pub struct Rafts {
    program: String,
    /// The user's own, in the order registered: the first is the default.
    own: Vec<(String, Arc<dyn Factory>)>,
}

impl Rafts {
    /// The built-ins alone, as plain `raftsim` has them.
    pub fn builtin() -> Rafts {
        Rafts::new("raftsim")
    }

    /// The built-ins, in a program that replay commands call `program`
    /// (e.g. `target/release/my-raftsim`).
    pub fn new(program: &str) -> Rafts {
        Rafts { program: program.to_string(), own: Vec::new() }
    }

    /// Adds a user's Raft under `name`: letters, digits, `-`, `_` and `.`,
    /// not a built-in's name nor one registered already.
    pub fn register(&mut self, name: &str, factory: Arc<dyn Factory>) -> Result<(), String> {
        let fit = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if name.is_empty() || name.starts_with('-') || !name.chars().all(fit) {
            return Err(format!(
                "cannot register a Raft named '{name}': use letters, digits, '-', '_' and '.' (not first '-')"
            ));
        }
        if sims::rafts::RAFTS.contains(&name) || self.own.iter().any(|(own, _)| own == name) {
            return Err(format!(
                "cannot register a Raft named '{name}': the name is taken (a built-in, or registered already)"
            ));
        }
        self.own.push((name.to_string(), factory));
        Ok(())
    }

    /// The program replay commands name.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// Whether a user registered any Raft.
    pub fn has_own(&self) -> bool {
        !self.own.is_empty()
    }

    /// The Raft that runs without `--raft`: the first registered, else our core.
    pub fn default_raft(&self) -> &str {
        self.own.first().map_or(CORE, |(name, _)| name)
    }

    /// Every name `--raft` takes: the user's first (in order), then the built-ins.
    pub fn names(&self) -> Vec<&str> {
        self.own.iter().map(|(name, _)| name.as_str()).chain(sims::rafts::RAFTS.iter().copied()).collect()
    }

    /// One line about the Raft `name`, for `list --rafts`.
    pub fn description(&self, name: &str) -> Option<String> {
        let text = if self.own.iter().any(|(own, _)| own == name) {
            let program = Path::new(&self.program).file_name().map(|name| name.to_string_lossy());
            format!("registered by {}", program.as_deref().unwrap_or(&self.program))
        } else {
            sims::rafts::description(name)?.to_string()
        };
        Some(if name == self.default_raft() { format!("{text} (the default)") } else { text })
    }

    /// The factory of the Raft `name`, with a planted bug of our core if `bug` is given.
    pub fn factory(&self, name: &str, bug: Option<&str>) -> Result<Arc<dyn Factory>, String> {
        match self.own.iter().find(|(own, _)| own == name) {
            Some(_) if bug.is_some() => {
                Err(format!("planted bug '{}' belongs to the core; Raft '{name}' has none", bug.unwrap_or_default()))
            }
            Some((_, factory)) => Ok(Arc::clone(factory)),
            None if sims::rafts::RAFTS.contains(&name) => sims::rafts::factory(name, bug),
            None => Err(format!("unknown Raft '{name}' (known: {})", self.names().join(", "))),
        }
    }

    /// The Raft the command line's flags choose: at most one of `--raft` and
    /// `--node-cmd`; `--bug` (a planted bug of our core) chooses our core, so
    /// it goes with neither, unless `--raft core`.
    pub fn select(
        &self,
        raft: Option<&str>,
        node_cmd: Option<&str>,
        bug: Option<&'static str>,
    ) -> Result<Selection, String> {
        let named = |name: &str, bug, factory| Selection::named(name, bug, factory, self);
        match (raft, node_cmd, bug) {
            (Some(_), Some(_), _) => Err("--raft and --node-cmd each choose the Raft under test: give one".into()),
            (_, Some(_), Some(_)) => {
                Err("--bug plants a bug in our own core: it does not go with --raft or --node-cmd".into())
            }
            (Some(name), None, Some(_)) if name != CORE => {
                Err("--bug plants a bug in our own core: it does not go with --raft or --node-cmd".into())
            }
            (None, Some(cmd), None) => Ok(Selection::node_cmd(cmd, sims::rafts::process_factory(cmd)?, self)),
            (None, None, Some(_)) => Ok(named(CORE, bug, self.factory(CORE, bug)?)),
            (Some(name), None, _) => Ok(named(name, bug, self.factory(name, bug)?)),
            (None, None, None) => Ok(named(self.default_raft(), None, self.factory(self.default_raft(), None)?)),
        }
    }

    /// The flags that choose a Raft again, by the name a JSON header records
    /// ([`Selection::name`]): `--raft NAME` but for our core in a program
    /// whose default it is; `--node-cmd CMD`; `--bug NAME`.
    pub fn flags_for(&self, name: &str, bug: Option<&str>) -> String {
        let mut flags = match name.strip_prefix("node-cmd: ") {
            Some(cmd) => format!(" --node-cmd '{}'", cmd.replace('\'', r"'\''")),
            None if name == CORE && self.default_raft() == CORE => String::new(),
            None => format!(" --raft {name}"),
        };
        if let Some(bug) = bug {
            flags.push_str(&format!(" --bug {bug}"));
        }
        flags
    }

    /// The replay command of a Raft named as a JSON header records it.
    pub fn rerun_for(&self, name: &str, bug: Option<&str>) -> Rerun {
        Rerun::new(&self.program, &self.flags_for(name, bug))
    }

    /// The regression file a sweep of `raft` uses when `--regressions` names
    /// none: [`crate::sweep::regressions::path_for`] beside the project's
    /// `sims/regressions.txt` (the nearest at or above `cwd`); in a program
    /// with Rafts of its own and no such file above `cwd`, beside
    /// `cwd/regressions.txt` (so a user's findings stay in the user's project).
    pub fn regressions_path(&self, cwd: &Path, raft: &Selection) -> PathBuf {
        use crate::sweep::regressions::{default_path, path_for, DEFAULT_PATH};
        let found = cwd.ancestors().map(|dir| dir.join(DEFAULT_PATH)).find(|path| path.is_file());
        let default = match found {
            Some(found) => found,
            None if self.has_own() => cwd.join("regressions.txt"),
            None => default_path(cwd),
        };
        path_for(&default, raft)
    }
}

impl Default for Rafts {
    fn default() -> Rafts {
        Rafts::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_own() -> Rafts {
        let mut rafts = Rafts::new("target/release/my-raftsim");
        rafts.register("mine", sims::rafts::core()).unwrap();
        rafts.register("mine-too", sims::rafts::core()).unwrap();
        rafts
    }

    #[test]
    fn the_users_rafts_come_first_and_the_first_is_the_default() {
        let rafts = with_own();
        assert_eq!(rafts.names()[..3], ["mine", "mine-too", "core"]);
        assert_eq!(rafts.default_raft(), "mine");
        assert_eq!(rafts.description("mine").unwrap(), "registered by my-raftsim (the default)");
        assert!(!rafts.description("core").unwrap().contains("default"));
        assert_eq!(Rafts::builtin().default_raft(), "core");
        assert!(Rafts::builtin().description("core").unwrap().ends_with("(the default)"));
        assert!(rafts.description("nope").is_none());
    }

    #[test]
    fn bad_or_taken_names_are_refused() {
        let mut rafts = with_own();
        for name in ["", "-x", "a b", "core", "raft-rs", "mine"] {
            assert!(rafts.register(name, sims::rafts::core()).is_err(), "{name:?}");
        }
        assert!(rafts.factory("nope", None).err().is_some_and(|e| e.contains("known: mine, mine-too, core")));
        assert!(rafts.factory("mine", Some("x")).err().is_some_and(|e| e.contains("belongs to the core")));
    }

    #[test]
    fn selections_name_the_raft_and_the_program_again() {
        let rafts = with_own();
        let default = rafts.select(None, None, None).unwrap();
        assert_eq!(default.name(), "mine");
        assert_eq!(default.rerun().command("A", 1), "target/release/my-raftsim replay A --seed 1 --raft mine");
        let core = rafts.select(Some("core"), None, None).unwrap();
        assert_eq!(core.flags(), " --raft core", "core is not this program's default");
        assert_eq!(core.file_name(), None, "our core keeps the project's own regression file");
        let plain = Rafts::builtin().select(Some("core"), None, None).unwrap();
        assert_eq!(plain.rerun().command("A", 1), "raftsim replay A --seed 1");
        assert_eq!(rafts.flags_for("mine-too", None), " --raft mine-too");
        assert_eq!(rafts.flags_for("core", None), " --raft core");
        assert_eq!(Rafts::builtin().flags_for("core", Some("b")), " --bug b");
        assert!(rafts.select(Some("mine"), None, Some("fixed-election-timeout")).is_err());
    }

    #[test]
    fn a_users_regressions_stay_in_the_users_directory() {
        let dir = std::env::temp_dir().join(format!("raftsim-rafts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rafts = with_own();
        let mine = rafts.select(None, None, None).unwrap();
        assert_eq!(rafts.regressions_path(&dir, &mine), dir.join("regressions-mine.txt"));
        let core = rafts.select(Some("core"), None, None).unwrap();
        assert_eq!(rafts.regressions_path(&dir, &core), dir.join("regressions.txt"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
