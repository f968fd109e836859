//! Message timing: how long one message takes on the wire, at microsecond
//! resolution, from the network's seeded stream.
//!
//! labrpc's code adds no delay on a reliable network, but the Go runtime it
//! runs on does: each request runs in its own goroutine, so real RPCs take
//! tens of µs to milliseconds and a later request (or reply) can overtake an
//! earlier one on the same link. Two profiles:
//!
//! - [`Profile::Loopback`] (the default): every message, request or reply,
//!   takes a seeded one-way latency drawn by [`loopback_latency_us`]; the
//!   unreliable network keeps labrpc's U[0, 27 ms) request delay, drawn in µs,
//!   and adds the same latency to replies; failures and long reordering are
//!   drawn in µs too, so events never pile onto whole milliseconds.
//! - [`Profile::LabrpcExact`]: labrpc's code to the letter, as raftsim ran
//!   before message timing: reliable messages take 0 µs and arrive in order,
//!   unreliable delays are whole milliseconds. Same seed, same hash as then.

/// How message latencies are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profile {
    /// A loopback RPC stack: tens of µs, a tail to a few ms, overtaking allowed.
    #[default]
    Loopback,
    /// labrpc's code exactly: zero latency and in order when reliable, whole ms otherwise.
    LabrpcExact,
}

impl Profile {
    pub const ALL: &'static [Profile] = &[Profile::Loopback, Profile::LabrpcExact];

    /// The name `--network` takes.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Loopback => "loopback",
            Profile::LabrpcExact => "labrpc-exact",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Profile::Loopback => "seeded µs latency with jitter and a tail (20 µs .. ~6 ms); messages overtake",
            Profile::LabrpcExact => "labrpc's code exactly: reliable messages take 0 µs, in order",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.iter().copied().find(|profile| profile.name() == name)
    }
}

/// The floor of a one-way loopback message: syscalls, a copy, a wake-up.
pub const LOOPBACK_MIN_US: u64 = 20;
/// Jitter on every message: U[0, 80) µs (goroutine scheduling, encoding).
pub const LOOPBACK_JITTER_US: u64 = 80;
/// One message in ten waits up to another millisecond (a busy scheduler).
pub const LOOPBACK_SLOW_PER_MILLE: u64 = 100;
pub const LOOPBACK_SLOW_US: u64 = 1_000;
/// One message in a hundred waits up to another 5 ms (a GC pause, preemption).
pub const LOOPBACK_STALL_PER_MILLE: u64 = 10;
pub const LOOPBACK_STALL_US: u64 = 5_000;

/// One message's one-way latency on a loopback RPC stack.
///
/// The distribution is a floor plus uniform jitter with a two-step tail:
/// 20 µs + U[0, 80) µs always (median ≈ 60 µs); with probability 1/10 add
/// U[0, 1 ms); with probability 1/100 add U[0, 5 ms). So p50 ≈ 60 µs,
/// p90 ≈ 100 µs, p99 ≈ 1 ms, max ≈ 6 ms. That is the shape Go's net/rpc and
/// gRPC show on loopback (a round trip of 50–200 µs at the median, a p99 near
/// a millisecond, rare multi-millisecond stalls from GC and preemption), and
/// labrpc's goroutine per request lets messages on one link overtake each
/// other, as independent draws do here. Integers only: the draws are raw
/// `below` and per-mille chances.
pub fn loopback_latency_us(draws: &mut sim::Source) -> u64 {
    use crate::network::site;
    let mut latency_us = LOOPBACK_MIN_US + draws.below(site::JITTER, LOOPBACK_JITTER_US);
    if draws.chance_per_mille(site::SLOW, LOOPBACK_SLOW_PER_MILLE) {
        latency_us += draws.below(site::SLOW_US, LOOPBACK_SLOW_US);
    }
    if draws.chance_per_mille(site::STALL, LOOPBACK_STALL_PER_MILLE) {
        latency_us += draws.below(site::STALL_US, LOOPBACK_STALL_US);
    }
    latency_us
}
