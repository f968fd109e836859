//! A bounded histogram of virtual run times in milliseconds, for the p50 and
//! p99 columns: exact below 2048 ms, then 1024 buckets per doubling (under
//! 0.1% error), so its size depends on the longest run, never on how many
//! runs a sweep makes. Merging two histograms adds their counts, so the
//! result does not depend on which worker ran which seed.

const EXACT: u64 = 1024;
const SUB_BITS: u32 = 10;
const SUB: u64 = 1 << SUB_BITS;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

fn bucket(ms: u64) -> usize {
    if ms < EXACT {
        return ms as usize;
    }
    let octave = 63 - ms.leading_zeros(); // >= 10
    let sub = (ms >> (octave - SUB_BITS)) & (SUB - 1);
    (EXACT + u64::from(octave - 10) * SUB + sub) as usize
}

/// The smallest value that falls in `index`.
fn lower_bound(index: usize) -> u64 {
    let index = index as u64;
    if index < EXACT {
        return index;
    }
    let octave = (index - EXACT) / SUB + 10;
    let sub = (index - EXACT) % SUB;
    (1 << octave) + (sub << (octave - u64::from(SUB_BITS)))
}

impl Histogram {
    pub fn add(&mut self, ms: u64) {
        let index = bucket(ms);
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += 1;
        self.total += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }

    /// The value at or below which `per_mille`/1000 of the runs fall (its bucket's lower bound).
    pub fn quantile(&self, per_mille: u64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = (self.total * per_mille).div_ceil(1000).max(1);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(lower_bound(index));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_then_fine() {
        for ms in [0, 1, 1023, 1024, 3070, 120_000, 10_000_000] {
            let low = lower_bound(bucket(ms));
            assert!(low <= ms && ms - low <= ms / 1024, "{ms} -> {low}");
        }
        assert_eq!(lower_bound(bucket(3070)), 3070);
        assert_eq!(lower_bound(bucket(5001)), 5000);
    }

    #[test]
    fn quantiles_of_a_known_set() {
        let mut histogram = Histogram::default();
        for ms in 1..=100 {
            histogram.add(ms);
        }
        assert_eq!(histogram.quantile(500), Some(50));
        assert_eq!(histogram.quantile(990), Some(99));
        let mut other = Histogram::default();
        other.add(5000);
        histogram.merge(&other);
        assert_eq!(histogram.quantile(1000), Some(lower_bound(bucket(5000))));
        assert_eq!(Histogram::default().quantile(500), None);
    }

    #[test]
    fn size_does_not_grow_with_the_number_of_runs() {
        let mut histogram = Histogram::default();
        for run in 0..200_000u64 {
            histogram.add(2000 + run % 3000);
        }
        assert!(histogram.counts.len() <= 1024 + 3 * 1024);
    }
}
