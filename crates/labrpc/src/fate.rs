//! What can happen to one RPC (LAB-SPEC §1.3): the fates and their reasons.

use std::fmt;

/// One RPC in flight: who called whom, through which end, at which server
/// object, and the mode flags as they were when the call entered the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    pub from: usize,
    pub to: usize,
    pub end_generation: u32,
    pub server_generation: u32,
    pub reliable: bool,
    pub long_reordering: bool,
}

/// Why an RPC failed: the caller's `Call` returns false.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lost {
    /// The end is disabled (a side of the link is disconnected) or its owner restarted.
    EndDisabled,
    /// No server is installed under that name (crashed).
    ServerDown,
    /// Unreliable network: the request was dropped (10%).
    RequestDropped,
    /// The server object was replaced (restart) before the request arrived.
    ServerReplaced,
    /// The handler ran, but the end was disabled or the server replaced meanwhile.
    ReplyDiscarded,
    /// Unreliable network: the reply was dropped (10%).
    ReplyDropped,
    /// The reply came back to a caller that crashed or restarted meanwhile.
    CallerGone,
}

impl Lost {
    pub fn name(self) -> &'static str {
        match self {
            Lost::EndDisabled => "end disabled",
            Lost::ServerDown => "server down",
            Lost::RequestDropped => "request dropped",
            Lost::ServerReplaced => "server replaced",
            Lost::ReplyDiscarded => "reply discarded",
            Lost::ReplyDropped => "reply dropped",
            Lost::CallerGone => "caller gone",
        }
    }
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The fate of a request as it enters the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestFate {
    /// It reaches the server after `delay_us`.
    Arrive { call: Call, delay_us: u64 },
    /// It is lost; the caller learns so after `delay_us`.
    Lost { reason: Lost, delay_us: u64 },
}

/// Whether the handler runs when the request arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    Handle,
    Lost(Lost),
}

/// The fate of a reply as the handler returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyFate {
    /// It reaches the caller after `delay_us`.
    Deliver {
        delay_us: u64,
    },
    Lost(Lost),
}
