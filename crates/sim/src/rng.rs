//! Seeded randomness: one seed, independent ChaCha8 streams, our own bounding.
//!
//! Only raw `next_u64` draws are used and bounded here, so that a seed replays
//! the same way whatever `rand`'s convenience methods do in later releases.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A deterministic random stream: `(seed, stream)` always gives the same draws.
#[derive(Clone, Debug)]
pub struct Rng {
    inner: ChaCha8Rng,
}

impl Rng {
    /// The stream `stream` of the run seeded with `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Rng { inner }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform integer in `0..bound` (`bound` > 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below(0)");
        // Reject the top sliver of u64 that would bias the modulo.
        let zone = u64::MAX - (u64::MAX - bound + 1) % bound;
        loop {
            let draw = self.inner.next_u64();
            if draw <= zone {
                return draw % bound;
            }
        }
    }

    /// A uniform integer in `low..high` (`low` < `high`).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        assert!(low < high, "Rng::range({low}, {high})");
        low + self.below(high - low)
    }

    /// True with probability `per_mille`/1000 (integers only: no floats in decisions).
    pub fn chance_per_mille(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_same_draws() {
        let mut a = Rng::new(7, 3);
        let mut b = Rng::new(7, 3);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn streams_differ() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 2);
        let same = (0..64).filter(|_| a.next_u64() == b.next_u64()).count();
        assert_eq!(same, 0);
    }

    #[test]
    fn below_stays_in_bounds_and_covers_them() {
        let mut rng = Rng::new(1, 0);
        let mut seen = [0u32; 27];
        for _ in 0..27_000 {
            seen[rng.below(27) as usize] += 1;
        }
        // Each bucket expects 1000; a fair die stays well inside 800..1200.
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }

    const PINNED: [u64; 4] = [737, 312, 20, 866];

    #[test]
    fn pinned_first_draws() {
        // A seed must replay identically across our releases: pin the stream.
        let mut rng = Rng::new(42, 0);
        let draws: Vec<u64> = (0..4).map(|_| rng.below(1000)).collect();
        assert_eq!(draws, PINNED);
    }
}
