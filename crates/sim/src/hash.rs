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

    /// Folds one word into the hash (splitmix64 finaliser over state ^ word).
    pub fn add(&mut self, word: u64) {
        let mut z = (self.0 ^ word).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }

    /// Folds a byte string in, length first, eight bytes at a time.
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }
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
    fn byte_strings_of_different_length_differ() {
        let (mut a, mut b) = (TraceHash::default(), TraceHash::default());
        a.add_bytes(&[0]);
        b.add_bytes(&[0, 0]);
        assert_ne!(a, b);
    }
}
