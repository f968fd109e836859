//! Faults beyond labrpc's own, for nemesis scenarios: requests delivered
//! late (an extra delay) or twice (a duplicate a little later), optionally
//! only for messages of some names (e.g. `InstallSnapshot`). A duplicated
//! request is handled twice and answered twice, as a retransmitting network
//! would make it. The model stays Raft-agnostic: a name is just a string.

use sim::Source;

use crate::network::site;

/// What the nemesis does to requests; all off by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nemesis {
    /// Per mille of requests delivered a second time.
    pub duplicate_per_mille: u64,
    /// Per mille of requests held back by an extra U[0, delay_us_max) µs.
    pub delay_per_mille: u64,
    pub delay_us_max: u64,
    /// Only requests with these names are touched (all when empty).
    pub names: Vec<&'static str>,
}

/// The nemesis' verdict on one request that will arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extra {
    /// Added to the request's delay.
    pub delay_us: u64,
    /// A second copy arrives this long after the first.
    pub duplicate_after_us: Option<u64>,
}

impl Nemesis {
    pub fn is_off(&self) -> bool {
        self.duplicate_per_mille == 0 && self.delay_per_mille == 0
    }

    /// Decides the extra delay and duplicate of one request named `name`.
    /// Draws nothing when the nemesis is off, so a quiet run's stream is untouched.
    pub fn decide(&self, draws: &mut Source, name: &str) -> Extra {
        if self.is_off() || !(self.names.is_empty() || self.names.contains(&name)) {
            return Extra::default();
        }
        let mut extra = Extra::default();
        if draws.chance_per_mille(site::EXTRA, self.delay_per_mille) {
            extra.delay_us = draws.below(site::EXTRA_US, self.delay_us_max.max(1));
        }
        if draws.chance_per_mille(site::DUP, self.duplicate_per_mille) {
            extra.duplicate_after_us = Some(draws.below(site::DUP_AFTER_US, self.delay_us_max.max(1_000)));
        }
        extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_draws_nothing_and_names_filter() {
        let mut rng = Source::seeded(1, 0);
        assert_eq!(Nemesis::default().decide(&mut rng, "x"), Extra::default());
        let only = Nemesis {
            duplicate_per_mille: 1000,
            delay_per_mille: 1000,
            delay_us_max: 10,
            names: vec!["InstallSnapshot"],
        };
        assert_eq!(only.decide(&mut rng, "AppendEntries"), Extra::default());
        let extra = only.decide(&mut rng, "InstallSnapshot");
        assert!(extra.delay_us < 10 && extra.duplicate_after_us.is_some());
    }
}
