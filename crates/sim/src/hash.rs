//! The rolling trace hash: one u64 that folds in everything a run did.
//!
//! Same seed ⇒ same hash on any machine, build profile or worker count; that
//! is the byte-for-byte replay promise, and it is cheap enough to keep on.

/// A cheap, order-sensitive 64-bit hash of a run's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHash(u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0x9e37_79b9_7f4a_7c15)
    }
}

impl TraceHash {
    pub fn value(self) -> u64 {
        self.0
    }

    /// Folds one word into the hash: wyhash's mix, the 128-bit product of
    /// the state and the word (each offset by a constant) folded to 64 bits.
    /// One multiply on the chain where splitmix64's finaliser has two. The
    /// old state (rotated) and the word are folded in too: a factor that
    /// happens to be zero (the word equal to `MIX_2`, or the state to `MIX_1`)
    /// would otherwise erase the history or ignore the word.
    #[inline]
    pub fn add(&mut self, word: u64) {
        let product = u128::from(self.0 ^ MIX_1).wrapping_mul(u128::from(word ^ MIX_2));
        self.0 = (product as u64) ^ ((product >> 64) as u64) ^ self.0.rotate_left(23) ^ word;
    }

    /// Folds a byte string in, length first. Whole 32-byte blocks go through
    /// four independent lanes (xxHash64's round: a multiply-rotate-multiply per
    /// eight bytes, the lanes in parallel), which are then folded in; the rest
    /// goes eight bytes at a time. A 5,000-byte command costs a few hundred
    /// cycles, not a serial chain of 625 finalisers.
    #[inline]
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        self.add(bytes.len() as u64);
        let tail = if bytes.len() >= 32 { self.add_blocks(bytes) } else { bytes };
        let mut words = tail.chunks_exact(8);
        for word in &mut words {
            self.add(word_of(word));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            // The little-endian word of the zero-padded rest, built byte by
            // byte: a copy of 1 to 7 bytes would be a `memcpy` call.
            self.add(rest.iter().rev().fold(0, |word, &byte| word << 8 | u64::from(byte)));
        }
    }

    /// Folds `bytes`' whole 32-byte blocks in; returns what is left after them.
    #[inline(never)]
    fn add_blocks<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let mut blocks = bytes.chunks_exact(32);
        let mut lanes =
            [self.0 ^ LANE_SEEDS[0], self.0 ^ LANE_SEEDS[1], self.0 ^ LANE_SEEDS[2], self.0 ^ LANE_SEEDS[3]];
        for block in &mut blocks {
            for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = round(*lane, word_of(word));
            }
        }
        for lane in lanes {
            self.add(lane);
        }
        blocks.remainder()
    }
}

/// wyhash's secrets, the offsets of [`TraceHash::add`]'s two factors.
const MIX_1: u64 = 0xa076_1d64_78bd_642f;
const MIX_2: u64 = 0xe703_7ed1_a0b4_28db;

/// xxHash64's primes.
const PRIME_1: u64 = 0x9e37_79b1_85eb_ca87;
const PRIME_2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// Distinct starting points for the four lanes.
const LANE_SEEDS: [u64; 4] = [PRIME_1.wrapping_add(PRIME_2), PRIME_2, 0, 0u64.wrapping_sub(PRIME_1)];

/// xxHash64's round: one lane takes one word.
#[inline]
fn round(lane: u64, word: u64) -> u64 {
    lane.wrapping_add(word.wrapping_mul(PRIME_2)).rotate_left(31).wrapping_mul(PRIME_1)
}

#[inline]
fn word_of(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters() {
        let (mut a, mut b) = (TraceHash::default(), TraceHash::default());
        a.add(1);
        a.add(2);
        b.add(2);
        b.add(1);
        assert_ne!(a, b);
    }

    #[test]
    fn one_byte_changed_anywhere_changes_the_hash() {
        let base: Vec<u8> = (0..200u32).map(|i| (i * 7) as u8).collect();
        let hash = |bytes: &[u8]| {
            let mut h = TraceHash::default();
            h.add_bytes(bytes);
            h
        };
        let original = hash(&base);
        for at in 0..base.len() {
            let mut changed = base.clone();
            changed[at] ^= 1;
            assert_ne!(hash(&changed), original, "byte {at}");
        }
        // Words swapped between lanes, and blocks swapped, differ too.
        let mut swapped = base.clone();
        swapped.swap(0, 8);
        assert_ne!(hash(&swapped), original);
        let mut blocks = base.clone();
        blocks[..64].rotate_left(32);
        assert_ne!(hash(&blocks), original);
    }

    #[test]
    fn no_word_erases_what_came_before() {
        let (mut a, mut b) = (TraceHash::default(), TraceHash::default());
        a.add(1);
        b.add(2);
        a.add(MIX_2);
        b.add(MIX_2);
        assert_ne!(a, b, "the word that zeroes the product");
        // And a state that zeroes the other factor still moves with the next word.
        let (mut c, mut d) = (TraceHash(MIX_1), TraceHash(MIX_1));
        c.add(1);
        d.add(2);
        assert_ne!(c, d);
        assert_ne!(c, TraceHash(MIX_1));
    }

    #[test]
    fn byte_strings_of_different_length_differ() {
        let (mut a, mut b) = (TraceHash::default(), TraceHash::default());
        a.add_bytes(&[0]);
        b.add_bytes(&[0, 0]);
        assert_ne!(a, b);
    }
}
