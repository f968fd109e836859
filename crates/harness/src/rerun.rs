//! The one-line command that runs a seed again, as every report prints it:
//! the program (`raftsim`, or a user's own binary built on `raftsim::main_with`)
//! and the flags that choose the Raft that ran it, so that copying the line
//! replays the same run of the same Raft.

/// How to name a run again: `PROGRAM replay TEST --seed N FLAGS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rerun {
    /// The program, as a shell takes it: `raftsim`, `target/release/my-raftsim`.
    program: String,
    /// The flags that choose the Raft again (` --raft raft-rs`; empty for the default).
    flags: String,
}

impl Rerun {
    /// `program` is quoted for a shell if it needs it; `flags` start with a space (or are empty).
    pub fn new(program: &str, flags: &str) -> Rerun {
        Rerun { program: shell_word(program), flags: flags.to_string() }
    }

    /// The flags that choose the Raft again.
    pub fn flags(&self) -> &str {
        &self.flags
    }

    /// The command that replays the fault script `file` of `test`.
    pub fn script_command(&self, test: &str, file: &str) -> String {
        format!("{} replay {test} --script {}{}", self.program, shell_word(file), self.flags)
    }

    /// The command that replays `seed` of `test` with a readable trace.
    pub fn command(&self, test: &str, seed: u64) -> String {
        format!("{} replay {test} --seed {seed}{}", self.program, self.flags)
    }
}

impl Default for Rerun {
    /// raftsim over our core.
    fn default() -> Rerun {
        Rerun::new("raftsim", "")
    }
}

/// `word` as one shell word: as is if it is plain, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_names_the_program_and_the_raft() {
        assert_eq!(Rerun::default().command("ReElection2A", 3), "raftsim replay ReElection2A --seed 3");
        let own = Rerun::new("target/release/my-raftsim", " --raft mine");
        assert_eq!(own.command("Figure82C", 0), "target/release/my-raftsim replay Figure82C --seed 0 --raft mine");
        assert_eq!(Rerun::new("/tmp/my dir/it's", "").command("A", 1), r"'/tmp/my dir/it'\''s' replay A --seed 1");
    }
}
