//! State Machine Safety (§5.4.3): if a server has applied a log entry at a
//! given index, no other server will ever apply a different entry at that
//! index — counting commands applied one by one and those a snapshot holds.

use sim::Time;

use super::{command_hash, violation};
use crate::{Failure, Invariant};

pub(crate) const NAME: Invariant = Invariant::StateMachineSafety;

/// The command first applied at every index, and by whom.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    by_index: Vec<Option<(u64, usize)>>,
}

impl Applied {
    /// Room for `indexes` indexes before the record grows.
    pub fn with_capacity(indexes: usize) -> Applied {
        Applied { by_index: Vec::with_capacity(indexes) }
    }

    #[inline(always)]
    pub fn record(&mut self, i: usize, index: u64, command_hash: u64, now: Time) -> Result<(), Failure> {
        let at = index as usize;
        if self.by_index.len() <= at {
            // Most often the next index: one push, no fill.
            self.by_index.resize(at, None);
            self.by_index.push(Some((command_hash, i)));
            return Ok(());
        }
        agree(&mut self.by_index[at], i, index, command_hash, now)
    }

    /// Server `i` switched to a snapshot holding `commands` at 0..: each is
    /// compared with the command first applied at its index, in one pass.
    pub fn record_all(&mut self, i: usize, commands: &[Option<&[u8]>], now: Time) -> Result<(), Failure> {
        let known = commands.len().min(self.by_index.len());
        for (index, (command, first)) in commands.iter().zip(&mut self.by_index[..known]).enumerate() {
            if let Some(command) = command {
                agree(first, i, index as u64, command_hash(command), now)?;
            }
        }
        // The rest of the snapshot is news: first applied here.
        let news = commands[known..].iter().map(|command| command.map(|command| (command_hash(command), i)));
        self.by_index.extend(news);
        Ok(())
    }
}

/// Server `i` applied the command of hash `command_hash` at `index`, whose
/// record is `first`: the first to apply there, or one that must agree.
#[inline(always)]
fn agree(first: &mut Option<(u64, usize)>, i: usize, index: u64, command_hash: u64, now: Time) -> Result<(), Failure> {
    match *first {
        None => {
            *first = Some((command_hash, i));
            Ok(())
        }
        Some((known, _)) if known == command_hash => Ok(()),
        Some((_, by)) => Err(applied_differently(by, i, index, now)),
    }
}

/// Kept out of line, so that the check itself stays a leaf without a frame.
#[cold]
#[inline(never)]
fn applied_differently(first: usize, i: usize, index: u64, now: Time) -> Failure {
    violation(NAME, now, format!("n{first} and n{i} applied different commands at index {index}"))
        .index(index)
        .node(first)
        .node(i)
}
