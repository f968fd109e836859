//! Virtual time: microseconds since the start of a run. No wall clock anywhere.

use std::cell::Cell;
use std::fmt;

/// A point in virtual time, in microseconds since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub const fn from_micros(micros: u64) -> Time {
        Time(micros)
    }

    pub const fn from_millis(millis: u64) -> Time {
        Time(millis * 1000)
    }

    pub const fn from_secs(secs: u64) -> Time {
        Time(secs * 1_000_000)
    }

    pub const fn micros(self) -> u64 {
        self.0
    }

    pub const fn millis(self) -> u64 {
        self.0 / 1000
    }

    /// This time plus a span in microseconds (saturating).
    pub const fn plus_us(self, span_us: u64) -> Time {
        Time(self.0.saturating_add(span_us))
    }

    pub const fn plus_ms(self, span_ms: u64) -> Time {
        self.plus_us(span_ms.saturating_mul(1000))
    }

    /// Microseconds from `earlier` to `self` (zero if `earlier` is later).
    pub const fn since_us(self, earlier: Time) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Time {
    /// Seconds with millisecond precision and a microsecond tail: `12.345678s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

thread_local! {
    static NOW: Cell<Time> = const { Cell::new(Time::ZERO) };
}

/// The virtual time of the simulation running on this thread (for trace
/// formatting only; simulation code gets time from [`crate::Sim::now`]).
pub fn virtual_now() -> Time {
    NOW.with(|now| now.get())
}

pub(crate) fn set_virtual_now(time: Time) {
    NOW.with(|now| now.set(time));
}
