//! A failed check: which of the lab's checks failed, and the lab's message.

use std::fmt;

/// Why a run failed, in the lab's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The check that failed (`checkOneLeader`, `apply`, `one`, `timeout`, ...).
    pub check: &'static str,
    /// The lab's message, with the values filled in.
    pub reason: String,
}

impl Failure {
    pub fn new(check: &'static str, reason: impl Into<String>) -> Failure {
        Failure { check, reason: reason.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.reason)
    }
}

impl std::error::Error for Failure {}

/// Returns early with a [`Failure`] of the given check and formatted reason.
#[macro_export]
macro_rules! fail {
    ($check:expr, $($arg:tt)*) => {
        return Err($crate::Failure::new($check, format!($($arg)*)))
    };
}
