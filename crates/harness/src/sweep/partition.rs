//! `--partition hash:K/N` and `slice:K/N`, in cargo-nextest's syntax: run
//! shard K (1-based) of N, so that a CI matrix or an indexed batch job can
//! split one big sweep over machines. Every seed of the sweep falls in
//! exactly one shard, so the shards' union is the whole sweep, with no
//! overlap.
//!
//! - `hash:K/N` puts a test's seed in shard `H(test, seed) % N + 1`, a fixed
//!   mix (FNV-1a of the name, SplitMix64 of the seed): the shard depends on
//!   the test and the seed alone, never on the range or the other tests swept,
//!   and stays the same across raftsim releases;
//! - `slice:K/N` deals each test's seeds out in turn, in the order they run
//!   (regression seeds first, then the range): position `p` goes to shard
//!   `p % N + 1`, so shards get equal shares.

use std::fmt;
use std::str::FromStr;

/// Which share of the seeds to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    Hash { shard: u64, count: u64 },
    Slice { shard: u64, count: u64 },
}

/// SplitMix64's finalizer: a fixed, well-mixed function of the seed.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a: a fixed hash of a test's name.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

impl Partition {
    /// Does this shard run `test`'s `seed`, which is at `position` in the test's run order?
    pub fn includes(&self, test: &str, seed: u64, position: u64) -> bool {
        match *self {
            Partition::Hash { shard, count } => mix(name_hash(test) ^ mix(seed)) % count == shard - 1,
            Partition::Slice { shard, count } => position % count == shard - 1,
        }
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Partition, String> {
        let bad =
            || format!("bad --partition '{text}': expected hash:K/N or slice:K/N with 1 <= K <= N, e.g. hash:1/3");
        let (kind, share) = text.split_once(':').ok_or_else(bad)?;
        let (shard, count) = share.split_once('/').ok_or_else(bad)?;
        let shard: u64 = shard.trim().parse().map_err(|_| bad())?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if shard == 0 || count == 0 || shard > count {
            return Err(bad());
        }
        match kind.trim() {
            "hash" => Ok(Partition::Hash { shard, count }),
            "slice" | "count" => Ok(Partition::Slice { shard, count }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Partition::Hash { shard, count } => write!(f, "hash:{shard}/{count}"),
            Partition::Slice { shard, count } => write!(f, "slice:{shard}/{count}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard_of(kind: &str, count: u64, seed: u64, position: u64) -> Vec<u64> {
        (1..=count)
            .filter(|shard| {
                format!("{kind}:{shard}/{count}").parse::<Partition>().unwrap().includes("ReElection2A", seed, position)
            })
            .collect()
    }

    #[test]
    fn every_seed_is_in_exactly_one_shard() {
        for kind in ["hash", "slice"] {
            for count in [1, 2, 3, 7] {
                let mut sizes = vec![0u64; count as usize];
                for (position, seed) in (1000..4000u64).enumerate() {
                    let shards = shard_of(kind, count, seed, position as u64);
                    assert_eq!(shards.len(), 1, "{kind} {count} seed {seed}: {shards:?}");
                    sizes[shards[0] as usize - 1] += 1;
                }
                let fair = 3000 / count;
                assert!(sizes.iter().all(|size| size.abs_diff(fair) <= fair / 10 + 1), "{kind}: {sizes:?}");
            }
        }
    }

    #[test]
    fn a_seeds_hash_shard_depends_on_the_test_and_seed_alone() {
        let partition: Partition = "hash:2/5".parse().unwrap();
        assert_eq!(partition.includes("Backup2B", 42, 0), partition.includes("Backup2B", 42, 99));
        // Pinned: a seed's shard must not change between releases.
        let shards = |test| (0..8).map(|seed| mix(name_hash(test) ^ mix(seed)) % 5).collect::<Vec<_>>();
        assert_eq!(shards("InitialElection2A"), vec![3, 2, 0, 0, 2, 3, 0, 2]);
        assert_eq!(shards("ReElection2A"), vec![3, 3, 0, 4, 2, 1, 4, 4]);
    }

    #[test]
    fn specs_parse_like_nextest_or_say_why() {
        assert_eq!("hash:1/3".parse(), Ok(Partition::Hash { shard: 1, count: 3 }));
        assert_eq!("slice:3/3".parse(), Ok(Partition::Slice { shard: 3, count: 3 }));
        assert_eq!("hash:2/4".parse::<Partition>().unwrap().to_string(), "hash:2/4");
        for bad in ["hash:0/3", "hash:4/3", "hash:1/0", "hash:1", "foo:1/2", "hash:a/b", "1/3", ""] {
            let error = bad.parse::<Partition>().unwrap_err();
            assert!(error.starts_with(&format!("bad --partition '{bad}'")), "{error}");
        }
    }
}
