//! The network table and counters: connectivity per end, reliable/unreliable,
//! long delays, long reordering, and labrpc's RPC and byte counts (LAB-SPEC §1).

use sim::Source;

use crate::timing::{loopback_latency_us, Profile};
use crate::Nemesis;
use crate::{Call, Dispatch, Lost, ReplyFate, RequestFate};

/// Unreliable requests wait U[0, 27) ms before anything else happens.
pub const SHORT_DELAY_MS: u64 = 27;
/// With long delays on, a failed call returns after U[0, 7000) ms (else U[0, 100)).
pub const LONG_DELAY_MS: u64 = 7000;
const SHORT_FAILURE_MS: u64 = 100;
/// Drop probabilities, per mille (labrpc: `rand.Int() % 1000 < 100`).
const REQUEST_DROP_PER_MILLE: u64 = 100;
const REPLY_DROP_PER_MILLE: u64 = 100;
/// Long reordering delays 600 in 900 replies by 200 + U[0, 1 + U[0, 2000)) ms.
const REORDER_PER_900: u64 = 600;
pub const LONG_REORDER_MS_BASE: u64 = 200;
pub const LONG_REORDER_MS_SPAN: u64 = 2000;

/// The names of the network's draws in a fault script (see [`sim::Source`]).
pub mod site {
    /// How long a lost request's call takes to fail (U[0, 100) or U[0, 7000) ms).
    pub const LOST_DELAY: sim::Site = "lost-delay";
    /// An unreliable request's U[0, 27) ms wait.
    pub const SHORT_DELAY: sim::Site = "short-delay";
    /// An unreliable request or reply is dropped.
    pub const DROP: sim::Site = "drop";
    /// A reply is held back by long reordering ...
    pub const REORDER: sim::Site = "reorder";
    /// ... by 200 ms + U[0, 1 + reorder-span) ms (reorder-delay is the inner draw).
    pub const REORDER_SPAN: sim::Site = "reorder-span";
    pub const REORDER_DELAY: sim::Site = "reorder-delay";
    /// Loopback latency: 20 µs + jitter µs, + slow-us when slow, + stall-us when stalled.
    pub const JITTER: sim::Site = "jitter";
    pub const SLOW: sim::Site = "slow";
    pub const SLOW_US: sim::Site = "slow-us";
    pub const STALL: sim::Site = "stall";
    pub const STALL_US: sim::Site = "stall-us";
    /// The nemesis delays a request by extra-us, or duplicates it dup-after-us later.
    pub const EXTRA: sim::Site = "extra";
    pub const EXTRA_US: sim::Site = "extra-us";
    pub const DUP: sim::Site = "dup";
    pub const DUP_AFTER_US: sim::Site = "dup-after-us";
    /// Every network site, for reading scripts.
    pub const ALL: &[sim::Site] = &[
        LOST_DELAY,
        SHORT_DELAY,
        DROP,
        REORDER,
        REORDER_SPAN,
        REORDER_DELAY,
        JITTER,
        SLOW,
        SLOW_US,
        STALL,
        STALL_US,
        EXTRA,
        EXTRA_US,
        DUP,
        DUP_AFTER_US,
    ];
}

/// labrpc's Network for `n` servers named 0..n.
#[derive(Clone, Debug)]
pub struct Network {
    servers: usize,
    profile: Profile,
    nemesis: Nemesis,
    reliable: bool,
    long_delays: bool,
    long_reordering: bool,
    /// `enabled[from * servers + to]`: the end from → to is enabled.
    enabled: Vec<bool>,
    /// Each name's generation: start1 renews a server's ends and its server object together.
    generation: Vec<u32>,
    /// Whether a server object is installed under each name (false once deleted).
    installed: Vec<bool>,
    total_rpcs: u64,
    total_bytes: u64,
    /// Requests handled by the current server object under each name.
    server_rpcs: Vec<u64>,
}

impl Network {
    /// A reliable network with no servers and every end disabled.
    pub fn new(servers: usize) -> Network {
        Network {
            servers,
            profile: Profile::default(),
            nemesis: Nemesis::default(),
            reliable: true,
            long_delays: false,
            long_reordering: false,
            enabled: vec![false; servers * servers],
            generation: vec![0; servers],
            installed: vec![false; servers],
            total_rpcs: 0,
            total_bytes: 0,
            server_rpcs: vec![0; servers],
        }
    }

    pub fn servers(&self) -> usize {
        self.servers
    }

    /// How latencies are drawn (see [`Profile`]); set before the first message.
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// U[0, span_ms) ms: whole milliseconds as labrpc-exact draws them, else in µs.
    fn below_ms(&self, draws: &mut Source, site: sim::Site, span_ms: u64) -> u64 {
        match self.profile {
            Profile::LabrpcExact => draws.below(site, span_ms) * 1000,
            Profile::Loopback => draws.below(site, span_ms * 1000),
        }
    }

    /// [`Network::below_ms`] whose unlisted replay value is the span's middle, not 0.
    fn middling_ms(&self, draws: &mut Source, site: sim::Site, span_ms: u64) -> u64 {
        match self.profile {
            Profile::LabrpcExact => draws.below_or(site, span_ms, span_ms / 2) * 1000,
            Profile::Loopback => draws.below_or(site, span_ms * 1000, span_ms * 1000 / 2),
        }
    }

    /// The wire latency every delivered message takes (0 in labrpc-exact).
    fn latency_us(&self, draws: &mut Source) -> u64 {
        match self.profile {
            Profile::LabrpcExact => 0,
            Profile::Loopback => loopback_latency_us(draws),
        }
    }

    /// Delays and duplicates beyond labrpc's (nemesis scenarios); off by default.
    pub fn set_nemesis(&mut self, nemesis: Nemesis) {
        self.nemesis = nemesis;
    }

    pub fn nemesis(&self) -> &Nemesis {
        &self.nemesis
    }

    pub fn set_reliable(&mut self, reliable: bool) {
        self.reliable = reliable;
    }

    pub fn reliable(&self) -> bool {
        self.reliable
    }

    pub fn set_long_delays(&mut self, on: bool) {
        self.long_delays = on;
    }

    pub fn set_long_reordering(&mut self, on: bool) {
        self.long_reordering = on;
    }

    pub fn long_reordering(&self) -> bool {
        self.long_reordering
    }

    /// start1: new (disabled) ends out of `server` and a new server object under its name.
    pub fn start_server(&mut self, server: usize) {
        self.generation[server] += 1;
        for to in 0..self.servers {
            self.enabled[server * self.servers + to] = false;
        }
        self.installed[server] = true;
        self.server_rpcs[server] = 0;
    }

    /// The generation of a server's ends and server object (bumped by each start).
    pub fn generation(&self, server: usize) -> u32 {
        self.generation[server]
    }

    /// DeleteServer: nothing answers under this name until the next start.
    pub fn delete_server(&mut self, server: usize) {
        self.installed[server] = false;
    }

    fn server_current(&self, server: usize, generation: u32) -> bool {
        self.installed[server] && self.generation[server] == generation
    }

    /// Enable or disable the current end from → to.
    pub fn enable(&mut self, from: usize, to: usize, on: bool) {
        self.enabled[from * self.servers + to] = on;
    }

    pub fn is_enabled(&self, from: usize, to: usize) -> bool {
        self.enabled[from * self.servers + to]
    }

    /// Every Call that entered the network.
    pub fn total_rpcs(&self) -> u64 {
        self.total_rpcs
    }

    /// Request bytes at send plus reply bytes at delivery.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Requests handled by the server object now installed under `server`.
    pub fn server_rpcs(&self, server: usize) -> u64 {
        self.server_rpcs[server]
    }

    fn end_alive(&self, from: usize, to: usize, end_generation: u32) -> bool {
        self.generation[from] == end_generation && self.enabled[from * self.servers + to]
    }

    /// A client calls: count it, then decide whether and when it reaches the server.
    pub fn send_request(&mut self, draws: &mut Source, from: usize, to: usize, request_bytes: usize) -> RequestFate {
        self.total_rpcs += 1;
        self.total_bytes += request_bytes as u64;
        let end_generation = self.generation[from];
        let reason = if !self.end_alive(from, to, end_generation) {
            Some(Lost::EndDisabled)
        } else if !self.installed[to] {
            Some(Lost::ServerDown)
        } else {
            None
        };
        if let Some(reason) = reason {
            let span_ms = if self.long_delays { LONG_DELAY_MS } else { SHORT_FAILURE_MS };
            return RequestFate::Lost { reason, delay_us: self.below_ms(draws, site::LOST_DELAY, span_ms) };
        }
        let call = Call {
            from,
            to,
            end_generation,
            server_generation: self.generation[to],
            reliable: self.reliable,
            long_reordering: self.long_reordering,
        };
        let latency_us = self.latency_us(draws);
        if call.reliable {
            return RequestFate::Arrive { call, delay_us: latency_us };
        }
        // Unlisted in a script, the middle of labrpc's wait (13 ms, 13.5 ms in µs),
        // not none: a script's unreliable network keeps the test's pace, so its
        // runs (and a shrink's candidates) cost what a seed's run does.
        let delay_us = self.middling_ms(draws, site::SHORT_DELAY, SHORT_DELAY_MS);
        if draws.chance_per_mille(site::DROP, REQUEST_DROP_PER_MILLE) {
            return RequestFate::Lost { reason: Lost::RequestDropped, delay_us };
        }
        RequestFate::Arrive { call, delay_us: delay_us + latency_us }
    }

    /// The request reaches the server: the handler runs only on the server
    /// object it was addressed to. labrpc's goroutine reads the end's state
    /// once; in labrpc-exact that is at send, with no delay. With loopback
    /// timing a reliable request's latency is the goroutine hops before that
    /// read and the dispatch, so an end disabled meanwhile (the caller
    /// crashed or was cut off) loses the request. Unreliable requests read it
    /// before their U[0, 27) ms sleep and are not checked again.
    pub fn arrive(&mut self, call: &Call) -> Dispatch {
        let late_read = self.profile == Profile::Loopback && call.reliable;
        if late_read && !self.end_alive(call.from, call.to, call.end_generation) {
            return Dispatch::Lost(Lost::EndDisabled);
        }
        if !self.server_current(call.to, call.server_generation) {
            return Dispatch::Lost(Lost::ServerReplaced);
        }
        self.server_rpcs[call.to] += 1;
        Dispatch::Handle
    }

    /// The handler returned: discard the reply if the call is dead, else drop
    /// it (unreliable), delay it (long reordering), or deliver it at once.
    pub fn send_reply(&mut self, draws: &mut Source, call: &Call) -> ReplyFate {
        let dead = !self.end_alive(call.from, call.to, call.end_generation)
            || !self.server_current(call.to, call.server_generation);
        if dead {
            return ReplyFate::Lost(Lost::ReplyDiscarded);
        }
        if !call.reliable && draws.chance_per_mille(site::DROP, REPLY_DROP_PER_MILLE) {
            return ReplyFate::Lost(Lost::ReplyDropped);
        }
        let latency_us = self.latency_us(draws);
        if call.long_reordering && draws.chance_in(site::REORDER, 900, REORDER_PER_900) {
            let inner = draws.below(site::REORDER_SPAN, LONG_REORDER_MS_SPAN);
            let delay_us = LONG_REORDER_MS_BASE * 1000 + self.below_ms(draws, site::REORDER_DELAY, 1 + inner);
            return ReplyFate::Deliver { delay_us: delay_us + latency_us };
        }
        ReplyFate::Deliver { delay_us: latency_us }
    }

    /// The reply reaches the caller: its bytes count now.
    pub fn reply_delivered(&mut self, reply_bytes: usize) {
        self.total_bytes += reply_bytes as u64;
    }
}

#[cfg(test)]
mod tests;
