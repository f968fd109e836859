//! Per-node clocks: a node's clock may run fast or slow against virtual
//! time (timer drift, a nemesis fault). Raft's safety must not depend on
//! timing (§5.6 "safety must not depend on timing"); only liveness may.
//! A node sees `local = base_local + (t - base_true) · rate / 1000` and its
//! deadlines are mapped back to the first true instant that reaches them.
//! At the default rate (1000 per mille) local and true time coincide.

use api::Instant;
use sim::Time;

/// One server's clock (kept across restarts: it is the machine's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clock {
    rate_per_mille: u64,
    base_true_us: u64,
    base_local_us: u64,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock { rate_per_mille: 1000, base_true_us: 0, base_local_us: 0 }
    }
}

impl Clock {
    /// The node's reading at true time `t` (never before the last rate change).
    pub fn local(&self, t: Time) -> Instant {
        if self.rate_per_mille == 1000 {
            // True rate: the same reading without a 128-bit division on every event.
            return Instant(self.base_local_us + t.micros().saturating_sub(self.base_true_us));
        }
        let elapsed = u128::from(t.micros().saturating_sub(self.base_true_us));
        Instant(self.base_local_us + (elapsed * u128::from(self.rate_per_mille) / 1000) as u64)
    }

    /// The first true instant at or after `now` when the node's clock reads `deadline`.
    pub fn true_time(&self, deadline: Instant, now: Time) -> Time {
        let Some(ahead) = deadline.micros().checked_sub(self.base_local_us) else { return now };
        let elapsed = if self.rate_per_mille == 1000 {
            ahead
        } else {
            (u128::from(ahead) * 1000).div_ceil(u128::from(self.rate_per_mille)) as u64
        };
        Time::from_micros(self.base_true_us + elapsed).max(now)
    }

    /// From `now` on, the clock runs at `rate_per_mille` (1000 = true time); it never jumps.
    pub fn set_rate(&mut self, now: Time, rate_per_mille: u64) {
        assert!(rate_per_mille > 0, "a clock must run");
        let local = self.local(now);
        *self = Clock { rate_per_mille, base_true_us: now.micros(), base_local_us: local.micros() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_clock_is_true_time() {
        let clock = Clock::default();
        assert_eq!(clock.local(Time::from_micros(12_345)), Instant(12_345));
        assert_eq!(clock.true_time(Instant(500), Time::from_micros(100)), Time::from_micros(500));
    }

    #[test]
    fn a_fast_clock_reaches_its_deadlines_early_and_never_jumps() {
        let mut clock = Clock::default();
        clock.set_rate(Time::from_micros(1_000), 1_300);
        assert_eq!(clock.local(Time::from_micros(1_000)), Instant(1_000));
        assert_eq!(clock.local(Time::from_micros(2_000)), Instant(2_300));
        let at = clock.true_time(Instant(2_300), Time::from_micros(1_000));
        assert_eq!(at, Time::from_micros(2_000));
        for deadline in [1_001, 1_777, 9_999] {
            let at = clock.true_time(Instant(deadline), Time::ZERO);
            assert!(clock.local(at).micros() >= deadline);
            assert!(clock.local(Time::from_micros(at.micros() - 1)).micros() < deadline);
        }
    }

    #[test]
    fn back_at_true_rate_the_shortcut_reads_as_the_formula_does() {
        let mut clock = Clock::default();
        clock.set_rate(Time::from_micros(1_000), 1_300);
        clock.set_rate(Time::from_micros(5_000), 1_000);
        for t in [5_000, 5_001, 77_777, 10_000_000] {
            let formula = clock.base_local_us + (u128::from(t - clock.base_true_us) * 1000 / 1000) as u64;
            assert_eq!(clock.local(Time::from_micros(t)), Instant(formula));
            let at = clock.true_time(Instant(formula), Time::ZERO);
            assert_eq!(at, Time::from_micros(t));
        }
    }
}
