//! The regression file (default: the project's `sims/regressions.txt`, see
//! [`default_path`]; or `--regressions FILE` / `RAFTSIM_REGRESSIONS`): seeds
//! that once failed, one `TEST SEED` per line, `#` starts a comment. Every
//! sweep of a test runs that test's listed seeds first; `--save-failures`
//! appends the seeds a sweep found failing. Appends hold an advisory lock on
//! the file (`File::lock`) and re-read it under the lock, so sweeps saving at
//! the same time never lose each other's lines nor write one twice. A bad
//! line is reported as `file:line: why`.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use crate::output;

/// Where the regression file lives inside a project.
pub const DEFAULT_PATH: &str = "sims/regressions.txt";

/// The project's regression file: `sims/regressions.txt` in the nearest
/// directory at or above `cwd` that has one; else the one of the project
/// this raftsim was built from, if that still exists; else `cwd`'s.
pub fn default_path(cwd: &Path) -> PathBuf {
    if let Some(found) = cwd.ancestors().map(|dir| dir.join(DEFAULT_PATH)).find(|path| path.is_file()) {
        return found;
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(DEFAULT_PATH);
    if built_from.is_file() {
        return built_from;
    }
    cwd.join(DEFAULT_PATH)
}

/// The regression file of the Raft under test: the project's own file for
/// our core; `regressions-NAME.txt` beside it for a Raft named NAME (so that
/// one Raft's findings do not run first in every sweep of another); none for
/// a node command (`--regressions` names one).
pub fn path_for(default: &Path, raft: &crate::Selection) -> PathBuf {
    match raft.file_name() {
        None => default.to_path_buf(),
        Some(name) => default.with_file_name(format!("regressions-{name}.txt")),
    }
}

const HEADER: &str = "\
# Regression seeds: every sweep of a test runs the seeds listed for it here
# first. One `TEST SEED` per line; `#` starts a comment. `raftsim sweep
# --save-failures` appends the seeds a sweep finds failing.
";

/// The seeds a regression file lists.
#[derive(Clone, Debug, Default)]
pub struct Regressions {
    path: PathBuf,
    /// (test, seed), in file order, without repeats.
    entries: Vec<(&'static str, u64)>,
}

impl Regressions {
    /// Reads `path`. A missing file lists nothing, unless `must_exist`.
    pub fn load(path: &Path, must_exist: bool) -> Result<Regressions, String> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == ErrorKind::NotFound && !must_exist => String::new(),
            Err(error) => return Err(format!("cannot read regression file {}: {error}", path.display())),
        };
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let entry = parse_line(line).map_err(|why| format!("{}:{}: {why}", path.display(), number + 1))?;
            if let Some(entry) = entry.filter(|entry| !entries.contains(entry)) {
                entries.push(entry);
            }
        }
        Ok(Regressions { path: path.to_path_buf(), entries })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The seeds listed for `test`, in file order.
    pub fn seeds_for(&self, test: &str) -> Vec<u64> {
        self.entries.iter().filter(|(name, _)| *name == test).map(|(_, seed)| *seed).collect()
    }

    /// Fails now if the file could not be appended to later.
    pub fn check_writable(&self) -> Result<(), String> {
        if self.path.exists() {
            return OpenOptions::new()
                .append(true)
                .open(&self.path)
                .map(drop)
                .map_err(|error| format!("cannot write regression file {}: {error}", self.path.display()));
        }
        // A probe next to it, removed at once: the file is made only when a seed is saved.
        output::AtomicFile::create(&self.path).map(drop)
    }

    /// Appends the failures not listed yet, each `TEST SEED  # note`, under
    /// the file's lock, and returns how many were new. The file is created
    /// with a header if needed.
    pub fn append(&self, failures: &[(&'static str, u64, String)]) -> Result<usize, String> {
        let failed = |error: std::io::Error| format!("cannot write regression file {}: {error}", self.path.display());
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(&self.path).map_err(failed)?;
        // Held until `file` is closed: another sweep appending waits here.
        file.lock().map_err(failed)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(failed)?;
        let listed: BTreeSet<(&str, u64)> = text.lines().filter_map(|line| parse_line(line).ok().flatten()).collect();
        let mut seen = BTreeSet::new();
        let new: Vec<&(&str, u64, String)> = failures
            .iter()
            .filter(|(test, seed, _)| !listed.contains(&(*test, *seed)) && seen.insert((*test, *seed)))
            .collect();
        if new.is_empty() {
            return Ok(0);
        }
        let mut more = String::new();
        if text.is_empty() {
            more.push_str(HEADER);
        } else if !text.ends_with('\n') {
            more.push('\n');
        }
        for (test, seed, note) in &new {
            let note = note.replace(['\n', '\r'], " ");
            more.push_str(&format!("{test} {seed}  # {note}\n"));
        }
        file.write_all(more.as_bytes()).and_then(|()| file.sync_all()).map_err(failed)?;
        Ok(new.len())
    }
}

/// One line: nothing (blank or comment), or a known test and a seed.
fn parse_line(line: &str) -> Result<Option<(&'static str, u64)>, String> {
    let content = line.split('#').next().unwrap_or("").trim();
    if content.is_empty() {
        return Ok(None);
    }
    let words: Vec<&str> = content.split_whitespace().collect();
    let [test, seed] = words[..] else {
        return Err(format!("expected `TEST SEED`, got '{content}'"));
    };
    let case = crate::find_test(test)?;
    let seed = seed.parse().map_err(|_| format!("bad seed '{seed}' (expected a number from 0 to {})", u64::MAX))?;
    Ok(Some((case.name, seed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str, text: Option<&str>) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("raftsim-regressions-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("regressions.txt");
        if let Some(text) = text {
            fs::write(&path, text).unwrap();
        }
        path
    }

    #[test]
    fn lines_list_tests_and_seeds_with_comments() {
        let path = scratch(
            "parse",
            Some("# header\n\nInitialElection2A 7  # why\nReElection2A 3\nInitialElection2A 1\nInitialElection2A 7\n"),
        );
        let regressions = Regressions::load(&path, true).unwrap();
        assert_eq!(regressions.seeds_for("InitialElection2A"), vec![7, 1]);
        assert_eq!(regressions.seeds_for("ReElection2A"), vec![3]);
        assert!(regressions.seeds_for("BasicAgree2B").is_empty());
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn bad_lines_say_file_and_line() {
        for (text, why) in [
            (
                "InitialElection2A 7\nInitalElection2A 3\n",
                ":2: unknown test 'InitalElection2A'; did you mean 'InitialElection2A'?",
            ),
            ("InitialElection2A minus\n", ":1: bad seed 'minus'"),
            ("# ok\nInitialElection2A\n", ":2: expected `TEST SEED`, got 'InitialElection2A'"),
            ("InitialElection2A 1 2\n", ":1: expected `TEST SEED`"),
        ] {
            let path = scratch("bad", Some(text));
            let error = Regressions::load(&path, true).unwrap_err();
            assert!(error.starts_with(&path.display().to_string()) && error.contains(why), "{error}");
        }
        let missing = scratch("missing", None).with_file_name("nope.txt");
        assert!(Regressions::load(&missing, false).unwrap().entries.is_empty());
        assert!(Regressions::load(&missing, true).unwrap_err().starts_with("cannot read regression file"));
    }

    #[test]
    fn failures_are_appended_once() {
        let path = scratch("append", None);
        let _ = fs::remove_file(&path);
        let regressions = Regressions::load(&path, false).unwrap();
        let failures =
            vec![("ReElection2A", 5, "checkOneLeader: x".to_string()), ("ReElection2A", 5, "again".to_string())];
        assert_eq!(regressions.append(&failures).unwrap(), 1);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Regression seeds"));
        assert!(text.ends_with("ReElection2A 5  # checkOneLeader: x\n"), "{text}");
        let reloaded = Regressions::load(&path, true).unwrap();
        assert_eq!(reloaded.seeds_for("ReElection2A"), vec![5]);
        assert_eq!(reloaded.append(&failures).unwrap(), 0);
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
