//! Tests of the labrpc model: rates on a fixed seed within statistical
//! bounds, connectivity, discarded replies, and the counters.

use super::*;
use crate::timing::{LOOPBACK_JITTER_US, LOOPBACK_MIN_US, LOOPBACK_SLOW_US, LOOPBACK_STALL_US};

fn connected(servers: usize) -> Network {
    let mut net = Network::new(servers);
    net.set_profile(Profile::LabrpcExact);
    for server in 0..servers {
        net.start_server(server);
    }
    for from in 0..servers {
        for to in 0..servers {
            net.enable(from, to, true);
        }
    }
    net.set_long_delays(true);
    net
}

/// Runs one whole RPC through the model: true if the reply gets back.
fn round_trip(net: &mut Network, rng: &mut Source) -> bool {
    let RequestFate::Arrive { call, .. } = net.send_request(rng, 0, 1, 10) else {
        return false;
    };
    if net.arrive(&call) != Dispatch::Handle {
        return false;
    }
    match net.send_reply(rng, &call) {
        ReplyFate::Deliver { .. } => {
            net.reply_delivered(20);
            true
        }
        ReplyFate::Lost(_) => false,
    }
}

#[test]
fn reliable_network_delivers_everything_at_once() {
    let (mut net, mut rng) = (connected(3), Source::seeded(1, 0));
    for _ in 0..1000 {
        let RequestFate::Arrive { call, delay_us } = net.send_request(&mut rng, 0, 1, 10) else { panic!("lost") };
        assert_eq!(delay_us, 0);
        assert_eq!(net.arrive(&call), Dispatch::Handle);
        assert_eq!(net.send_reply(&mut rng, &call), ReplyFate::Deliver { delay_us: 0 });
    }
}

#[test]
fn unreliable_drop_rates_are_within_bounds() {
    let (mut net, mut rng) = (connected(2), Source::seeded(7, 0));
    net.set_reliable(false);
    let (mut request_drops, mut reply_drops, mut delivered) = (0u32, 0u32, 0u32);
    let trials = 20_000;
    for _ in 0..trials {
        match net.send_request(&mut rng, 0, 1, 10) {
            RequestFate::Lost { reason, delay_us } => {
                assert_eq!(reason, Lost::RequestDropped);
                assert!(delay_us < SHORT_DELAY_MS * 1000);
                request_drops += 1;
            }
            RequestFate::Arrive { call, delay_us } => {
                assert!(delay_us < SHORT_DELAY_MS * 1000 && delay_us % 1000 == 0);
                assert_eq!(net.arrive(&call), Dispatch::Handle);
                match net.send_reply(&mut rng, &call) {
                    ReplyFate::Lost(reason) => {
                        assert_eq!(reason, Lost::ReplyDropped);
                        reply_drops += 1;
                    }
                    ReplyFate::Deliver { delay_us } => {
                        assert_eq!(delay_us, 0);
                        delivered += 1;
                    }
                }
            }
        }
    }
    // 10% of 20000 = 2000, sd ≈ 42: ±5 sd. Replies: 10% of ~18000 = 1800, sd ≈ 40.
    assert!((1790..2210).contains(&request_drops), "request drops {request_drops}");
    assert!((1600..2000).contains(&reply_drops), "reply drops {reply_drops}");
    // About 19% of RPCs fail in all.
    let failed = trials - delivered;
    assert!((3500..4100).contains(&failed), "failed {failed}");
}

#[test]
fn long_reordering_delays_two_thirds_of_replies_between_200_and_2199_ms() {
    let (mut net, mut rng) = (connected(2), Source::seeded(3, 0));
    net.set_long_reordering(true);
    let (mut delayed, mut sum_ms) = (0u64, 0u64);
    let trials = 9000;
    for _ in 0..trials {
        let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 0, 1, 1) else { panic!("lost") };
        net.arrive(&call);
        let ReplyFate::Deliver { delay_us } = net.send_reply(&mut rng, &call) else { panic!("lost") };
        if delay_us > 0 {
            let delay_ms = delay_us / 1000;
            assert!((200..=2199).contains(&delay_ms), "{delay_ms}");
            delayed += 1;
            sum_ms += delay_ms;
        }
    }
    // 2/3 of 9000 = 6000, sd ≈ 45.
    assert!((5775..6225).contains(&delayed), "delayed {delayed}");
    // The nested draw skews low: mean ≈ 200 + 500 = 700 ms.
    let mean_ms = sum_ms / delayed;
    assert!((650..750).contains(&mean_ms), "mean {mean_ms}");
}

#[test]
fn a_disconnected_server_never_receives() {
    let (mut net, mut rng) = (connected(3), Source::seeded(1, 0));
    // The tester's disconnect(2): every end out of and into 2.
    for other in 0..3 {
        net.enable(2, other, false);
        net.enable(other, 2, false);
    }
    for from in [0, 1] {
        for _ in 0..100 {
            match net.send_request(&mut rng, from, 2, 10) {
                RequestFate::Lost { reason, delay_us } => {
                    assert_eq!(reason, Lost::EndDisabled);
                    assert!(delay_us < LONG_DELAY_MS * 1000);
                }
                RequestFate::Arrive { .. } => panic!("a disconnected server received a request"),
            }
        }
    }
    assert!(matches!(net.send_request(&mut rng, 2, 0, 10), RequestFate::Lost { reason: Lost::EndDisabled, .. }));
    assert_eq!(net.server_rpcs(2), 0);
}

#[test]
fn failure_delay_is_short_without_long_delays() {
    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    net.set_long_delays(false);
    net.enable(0, 1, false);
    for _ in 0..200 {
        let RequestFate::Lost { delay_us, .. } = net.send_request(&mut rng, 0, 1, 1) else { panic!() };
        assert!(delay_us < 100_000);
    }
}

#[test]
fn replies_are_discarded_when_the_end_is_disabled_or_the_server_replaced() {
    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 0, 1, 1) else { panic!() };
    assert_eq!(net.arrive(&call), Dispatch::Handle);
    net.enable(0, 1, false);
    assert_eq!(net.send_reply(&mut rng, &call), ReplyFate::Lost(Lost::ReplyDiscarded));

    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 0, 1, 1) else { panic!() };
    assert_eq!(net.arrive(&call), Dispatch::Handle);
    net.delete_server(1);
    net.start_server(1);
    assert_eq!(net.send_reply(&mut rng, &call), ReplyFate::Lost(Lost::ReplyDiscarded));
}

#[test]
fn a_request_for_a_replaced_server_is_never_handled() {
    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 0, 1, 1) else { panic!() };
    net.delete_server(1);
    assert_eq!(net.arrive(&call), Dispatch::Lost(Lost::ServerReplaced));
    net.start_server(1);
    assert_eq!(net.arrive(&call), Dispatch::Lost(Lost::ServerReplaced));
    assert_eq!(net.server_rpcs(1), 0);
}

#[test]
fn a_crashed_server_is_down_and_its_old_ends_stay_dead() {
    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    net.delete_server(1);
    assert!(matches!(net.send_request(&mut rng, 0, 1, 1), RequestFate::Lost { reason: Lost::ServerDown, .. }));
    // A request sent through server 1's old end before its restart is dead afterwards.
    let mut net = connected(2);
    let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 1, 0, 1) else { panic!() };
    net.start_server(1);
    net.enable(1, 0, true);
    assert_eq!(net.arrive(&call), Dispatch::Handle);
    assert_eq!(net.send_reply(&mut rng, &call), ReplyFate::Lost(Lost::ReplyDiscarded));
}

#[test]
fn counters_follow_labrpc() {
    let (mut net, mut rng) = (connected(3), Source::seeded(1, 0));
    assert!(round_trip(&mut net, &mut rng));
    // A call to a disabled end still counts, with its request bytes.
    net.enable(0, 2, false);
    let _ = net.send_request(&mut rng, 0, 2, 7);
    assert_eq!(net.total_rpcs(), 2);
    assert_eq!(net.total_bytes(), 10 + 20 + 7);
    assert_eq!(net.server_rpcs(1), 1);
    assert_eq!(net.server_rpcs(2), 0);
    // The per-server count resets when the server restarts.
    net.start_server(1);
    assert_eq!(net.server_rpcs(1), 0);
    assert_eq!(net.total_rpcs(), 2);
}

#[test]
fn a_reply_lost_after_the_handler_ran_adds_no_bytes() {
    let (mut net, mut rng) = (connected(2), Source::seeded(1, 0));
    let RequestFate::Arrive { call, .. } = net.send_request(&mut rng, 0, 1, 5) else { panic!() };
    net.arrive(&call);
    net.enable(0, 1, false);
    assert!(matches!(net.send_reply(&mut rng, &call), ReplyFate::Lost(_)));
    assert_eq!(net.total_bytes(), 5);
    assert_eq!(net.server_rpcs(1), 1);
}

#[test]
fn loopback_latency_has_jitter_a_tail_and_overtaking() {
    let (mut net, mut rng) = (connected(2), Source::seeded(5, 0));
    net.set_profile(Profile::Loopback);
    let mut delays: Vec<u64> = (0..10_000)
        .map(|_| match net.send_request(&mut rng, 0, 1, 10) {
            RequestFate::Arrive { delay_us, .. } => delay_us,
            RequestFate::Lost { .. } => panic!("reliable"),
        })
        .collect();
    // Overtaking: some later message arrives before an earlier one.
    assert!(delays.windows(2).any(|pair| pair[1] < pair[0]));
    delays.sort_unstable();
    let (p50, p90, p99, max) = (delays[5_000], delays[9_000], delays[9_900], delays[9_999]);
    assert!((40..=80).contains(&p50), "p50 {p50}");
    assert!((80..=400).contains(&p90), "p90 {p90}");
    assert!((300..=2_000).contains(&p99), "p99 {p99}");
    assert!(max <= LOOPBACK_MIN_US + LOOPBACK_JITTER_US + LOOPBACK_SLOW_US + LOOPBACK_STALL_US, "max {max}");
    assert!(delays[0] >= LOOPBACK_MIN_US);
}

#[test]
fn loopback_unreliable_delays_are_in_microseconds() {
    let (mut net, mut rng) = (connected(2), Source::seeded(9, 0));
    net.set_profile(Profile::Loopback);
    net.set_reliable(false);
    let odd = (0..1000)
        .filter_map(|_| match net.send_request(&mut rng, 0, 1, 10) {
            RequestFate::Arrive { delay_us, .. } => Some(delay_us),
            RequestFate::Lost { .. } => None,
        })
        .filter(|delay_us| delay_us % 1000 != 0)
        .count();
    assert!(odd > 850, "{odd} delays off whole milliseconds");
}
