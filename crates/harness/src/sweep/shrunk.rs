//! `sweep --shrink`: after the report, the smallest seed of each failure
//! group is shrunk to a fault script ([`crate::shrink`]) and the script is
//! printed; with `--save-failures` each script is also kept next to the
//! regression file (`DIR/scripts/TEST-SEED.script`), beside its seed.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::engine::Outcome;
use super::work::WorkList;
use crate::output::{self, AtomicFile};
use crate::shrink::{self, Limits};
use crate::Selection;

/// Where a kept script goes: `scripts/TEST-SEED.script` beside the regression file.
pub fn script_path(regressions: &Path, test: &str, seed: u64) -> PathBuf {
    let dir = regressions.parent().unwrap_or(Path::new("."));
    dir.join("scripts").join(format!("{test}-{seed}.script"))
}

/// Shrinks each failure group's smallest seed, in test then group order; prints each script.
pub fn shrink_groups(
    outcome: &Outcome,
    work: &WorkList,
    raft: &Selection,
    keep_next_to: Option<&Path>,
) -> Result<(), String> {
    for (test, summary) in outcome.summaries.iter().enumerate() {
        let case = work.case(test);
        for group in summary.groups.groups.values() {
            let seed = group.smallest_seed;
            eprintln!("shrinking {} seed {seed} ...", case.name);
            let shrunk = match shrink::shrink(case, raft, seed, Limits::default(), &mut |_| {}) {
                Ok(shrunk) => shrunk,
                Err(why) => {
                    output::to_stdout(|out| writeln!(out, "shrink {} seed {seed}: {why}", case.name))?;
                    continue;
                }
            };
            let kept = match keep_next_to {
                Some(regressions) => {
                    let path = script_path(regressions, case.name, seed);
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
                    }
                    let mut file = AtomicFile::create(&path)?;
                    let shown = path.display().to_string();
                    file.writer()
                        .write_all(shrunk.text.as_bytes())
                        .map_err(|error| format!("cannot write {shown}: {error}"))?;
                    file.commit()?;
                    format!(", kept in {shown}")
                }
                None => String::new(),
            };
            output::to_stdout(|out| {
                writeln!(
                    out,
                    "shrunk {} seed {seed} ({}): {} decisions, was {}{kept}",
                    case.name, shrunk.check, shrunk.shrunk.decisions, shrunk.original.decisions
                )?;
                out.write_all(shrunk.text.as_bytes())
            })?;
        }
    }
    Ok(())
}
