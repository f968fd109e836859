//! Nemesis scenarios beyond the lab's 28 scripts: a client issues Starts
//! throughout while a seeded nemesis partitions the network (majority and
//! minority splits, bridges, one-way links), crashes and restarts servers
//! (sometimes inside a step, between two of its outputs), loses, delays and
//! duplicates messages, reorders replies, and makes clocks drift. Swarm
//! testing (Groce et al. 2012; TigerBeetle's VOPR): each seed turns a random
//! subset of fault kinds on, and the run reports which. Every run ends with
//! the liveness phase, then checks that every command the client saw
//! committed is applied everywhere at its index (State Machine Safety,
//! §5.4.3, as a client sees it). Safety must never depend on timing (§5.6).

use std::cell::Cell;
use std::rc::Rc;

use tester::{Cluster, Failure, Nemesis, Value};

/// The fault kinds a seed may turn on.
pub const FAULTS: &[&str] =
    &["partitions", "one-way", "crashes", "crash-points", "unreliable", "duplicates", "delays", "drift", "reordering"];

/// Rounds of faults before the heal, and their length.
const ROUNDS: u64 = 40;
const ROUND_MS_MIN: u64 = 100;
const ROUND_MS_SPAN: u64 = 500;

/// The swarm: each fault kind on with probability 1/2 (at least one), plus `forced`.
fn draw_faults(c: &Cluster, forced: &[&'static str]) -> Vec<&'static str> {
    let mut on: Vec<&'static str> =
        FAULTS.iter().copied().filter(|fault| forced.contains(fault) || c.rand_below(2) == 1).collect();
    if on.is_empty() {
        on.push(FAULTS[c.rand_below(FAULTS.len() as u64) as usize]);
    }
    on
}

/// NemesisSwarm*: any subset of the faults.
pub async fn swarm(c: Cluster) -> Result<(), Failure> {
    nemesis(c, &[]).await
}

/// NemesisCrash*: crash/restart storms with crash points inside steps, plus any other faults.
pub async fn crash_storm(c: Cluster) -> Result<(), Failure> {
    nemesis(c, &["crashes", "crash-points"]).await
}

/// NemesisSnapshot*: lagging followers and duplicated or late requests, so that
/// InstallSnapshot goes out, arrives late and arrives twice.
pub async fn snapshot_storm(c: Cluster) -> Result<(), Failure> {
    nemesis(c, &["partitions", "duplicates", "delays"]).await
}

async fn nemesis(c: Cluster, forced: &[&'static str]) -> Result<(), Failure> {
    let faults = draw_faults(&c, forced);
    let has = |fault: &str| faults.contains(&fault);
    c.set_swarm(faults.clone());
    if has("drift") {
        for i in 0..c.servers() {
            c.set_clock_rate(i, 800 + c.rand_below(401));
        }
    }
    c.set_unreliable(has("unreliable"));
    c.set_long_reordering(has("reordering"));
    c.set_nemesis(Nemesis {
        duplicate_per_mille: if has("duplicates") { 100 } else { 0 },
        delay_per_mille: if has("delays") { 100 } else { 0 },
        delay_us_max: 300_000,
        names: Vec::new(),
    });
    let stop = Rc::new(Cell::new(false));
    let client = c.spawn(client(c.clone(), Rc::clone(&stop)));
    for _ in 0..ROUNDS {
        if has("partitions") && c.rand_chance_in(3, 1) {
            split(&c);
        }
        if has("one-way") && c.rand_chance_in(3, 1) {
            one_way(&c);
        }
        if has("crashes") {
            crash_or_restart(&c, has("crash-points"));
        }
        c.sleep_ms(ROUND_MS_MIN + c.rand_below(ROUND_MS_SPAN)).await;
    }
    stop.set(true);
    client.await
}

/// Every connected pair may talk again.
fn heal_links(c: &Cluster) {
    let servers = c.servers();
    for from in (0..servers).filter(|&i| c.is_connected(i)) {
        for to in (0..servers).filter(|&j| j != from && c.is_connected(j)) {
            c.set_link(from, to, true);
        }
    }
}

/// A majority/minority split, a bridge (one server in both halves), or a heal.
fn split(c: &Cluster) {
    let servers = c.servers();
    heal_links(c);
    let shape = c.rand_below(3);
    if shape == 0 {
        return;
    }
    let side: Vec<bool> = (0..servers).map(|_| c.rand_below(2) == 1).collect();
    let bridge = (shape == 2).then(|| c.rand_below(servers as u64) as usize);
    for from in (0..servers).filter(|&i| c.is_connected(i)) {
        for to in (0..servers).filter(|&j| j != from && c.is_connected(j)) {
            let bridged = bridge == Some(from) || bridge == Some(to);
            if side[from] != side[to] && !bridged {
                c.set_link(from, to, false);
            }
        }
    }
}

/// One link cut in one direction only (or all links restored).
fn one_way(c: &Cluster) {
    let servers = c.servers() as u64;
    if c.rand_below(4) == 0 {
        return heal_links(c);
    }
    let from = c.rand_below(servers) as usize;
    let to = (from + 1 + c.rand_below(servers - 1) as usize) % servers as usize;
    if c.is_connected(from) && c.is_connected(to) {
        c.set_link(from, to, false);
    }
}

/// Crash a live server (at once, or inside its next step), or restart a dead one.
fn crash_or_restart(c: &Cluster, crash_points: bool) {
    let servers = c.servers();
    for i in 0..servers {
        if c.crash_point_armed(i) {
            // The crash point has waited a round for a step with enough outputs.
            c.crash(i);
        }
    }
    let i = c.rand_below(servers as u64) as usize;
    if !c.is_alive(i) {
        c.start1(i);
        c.connect(i);
    } else if c.rand_chance_in(3, 1) {
        if crash_points && c.rand_chance_in(2, 1) {
            c.arm_crash_point(i, c.rand_below(4) as usize);
            c.spawn(restart_soon_after_crash_point(c.clone(), i));
        } else {
            c.crash(i);
        }
    }
}

/// A storm's quick restart: once server i's crash point fired, it is back
/// within 0–9 ms (so that what it lost meets the messages it already sent).
async fn restart_soon_after_crash_point(c: Cluster, i: usize) {
    for _ in 0..ROUND_MS_MIN {
        c.sleep_ms(1).await;
        if !c.crash_point_armed(i) {
            if !c.is_alive(i) {
                c.sleep_ms(c.rand_below(10)).await;
                c.start1(i);
                c.connect(i);
            }
            return;
        }
    }
}

/// Starts on random servers every few ms; a command is acknowledged once a
/// server applied it at the index its Start returned.
async fn client(c: Cluster, stop: Rc<Cell<bool>>) -> Result<(), Failure> {
    let mut pending: Vec<(u64, Value)> = Vec::new();
    while !stop.get() {
        c.sleep_ms(5 + c.rand_below(45)).await;
        let i = c.rand_below(c.servers() as u64) as usize;
        let value = c.rand_value();
        if let Some((index, _)) = c.start_command(i, &value) {
            pending.push((index, value));
        }
        let mut still = Vec::with_capacity(pending.len());
        for (index, value) in pending {
            match c.n_committed(index)? {
                (_, Some(agreed)) if agreed == value => c.note_acknowledged(index, value),
                (0, _) => still.push((index, value)),
                // Another command won the index: this Start was never acknowledged.
                _ => {}
            }
        }
        pending = still;
    }
    Ok(())
}
