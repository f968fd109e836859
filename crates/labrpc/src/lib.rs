//! labrpc's network semantics (MIT 6.824 `labrpc.go`) as a pure, seeded model.
//!
//! It owns no queue and runs nothing: given the connectivity, the mode flags
//! and an RNG, it decides each RPC's fate, step by step, and keeps labrpc's
//! counters. The driver carries the messages and asks at each step:
//!
//! 1. [`Network::send_request`] when a client calls (counts the RPC and its
//!    bytes, snapshots the end and mode flags as labrpc's goroutine does);
//! 2. [`Network::arrive`] when the request reaches the server (the handler
//!    runs only on the server object the call was addressed to);
//! 3. [`Network::send_reply`] when the handler returns (the reply is
//!    discarded if the end was disabled or the server replaced meanwhile;
//!    unreliable drops; long reordering);
//! 4. [`Network::reply_delivered`] when the reply reaches the client (its
//!    bytes count only then).
//!
//! Servers are named 0..n. A server's *ends* (its client side) and its
//! *server object* are renewed by [`Network::start_server`], as the tester's
//! start1 makes new ends and a new Server; old ends never work again.
//!
//! Every delivered message takes a latency drawn by the network's
//! [`Profile`] (µs-resolution loopback timing by default, labrpc's exact
//! zero-latency model on request); a [`Nemesis`] may delay or duplicate
//! requests beyond what labrpc does.

mod fate;
mod nemesis;
mod network;
mod timing;

pub use fate::{Call, Dispatch, Lost, ReplyFate, RequestFate};
pub use nemesis::{Extra, Nemesis};
pub use network::{site, Network, LONG_DELAY_MS, LONG_REORDER_MS_BASE, LONG_REORDER_MS_SPAN, SHORT_DELAY_MS};
pub use timing::{loopback_latency_us, Profile};
