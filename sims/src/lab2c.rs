//! 2C, persistence (Figure 2 "persistent state on all servers", §5.1, §5.4):
//! currentTerm, votedFor and the log must survive crash1/start1; together
//! with the election restriction (§5.4.1) and the commitment rule (§5.4.2,
//! Figure 8) no committed entry may be lost. The lab's eight 2C tests, step
//! for step (LAB-SPEC §4 "2C").

use std::cell::Cell;
use std::rc::Rc;

use tester::{fail, Cluster, Failure, LabCheck, Value, ELECTION_TIMEOUT_MS};

fn int(n: i64) -> Value {
    Value::Int(n)
}

/// TestPersist12C: basic persistence.
pub async fn persist1(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(int(11), servers, true).await?;
    // Crash and re-start all.
    for i in 0..servers {
        c.start1(i);
    }
    for i in 0..servers {
        c.disconnect(i);
        c.connect(i);
    }
    c.one(int(12), servers, true).await?;

    let leader1 = c.check_one_leader().await?;
    c.disconnect(leader1);
    c.start1(leader1);
    c.connect(leader1);
    c.one(int(13), servers, true).await?;

    let leader2 = c.check_one_leader().await?;
    c.disconnect(leader2);
    c.one(int(14), servers - 1, true).await?;
    c.start1(leader2);
    c.connect(leader2);
    // Wait for leader2 to join before killing i3.
    c.wait(4, servers, -1).await?;

    let i3 = (c.check_one_leader().await? + 1) % servers;
    c.disconnect(i3);
    c.one(int(15), servers - 1, true).await?;
    c.start1(i3);
    c.connect(i3);
    c.one(int(16), servers, true).await?;
    Ok(())
}

/// TestPersist22C: more persistence.
pub async fn persist2(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    let mut index = 1;
    for _ in 0..5 {
        c.one(int(10 + index), servers, true).await?;
        index += 1;

        let leader1 = c.check_one_leader().await?;
        let peer = |k: usize| (leader1 + k) % servers;
        c.disconnect(peer(1));
        c.disconnect(peer(2));
        c.one(int(10 + index), servers - 2, true).await?;
        index += 1;

        c.disconnect(peer(0));
        c.disconnect(peer(3));
        c.disconnect(peer(4));

        c.start1(peer(1));
        c.start1(peer(2));
        c.connect(peer(1));
        c.connect(peer(2));
        c.sleep_ms(ELECTION_TIMEOUT_MS).await;

        c.start1(peer(3));
        c.connect(peer(3));
        c.one(int(10 + index), servers - 2, true).await?;
        index += 1;

        c.connect(peer(4));
        c.connect(peer(0));
    }
    c.one(int(1000), servers, true).await?;
    Ok(())
}

/// TestPersist32C: partitioned leader and one follower crash, leader restarts.
pub async fn persist3(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(int(101), 3, true).await?;
    let leader = c.check_one_leader().await?;
    c.disconnect((leader + 2) % servers);
    c.one(int(102), 2, true).await?;

    c.crash(leader);
    c.crash((leader + 1) % servers);
    c.connect((leader + 2) % servers);
    c.start1(leader);
    c.connect(leader);
    c.one(int(103), 2, true).await?;

    c.start1((leader + 1) % servers);
    c.connect((leader + 1) % servers);
    c.one(int(104), servers, true).await?;
    Ok(())
}

/// Figure8's pause after each round: usually short (U[0,13) ms), one time in
/// ten up to half an election timeout.
async fn figure8_pause(c: &Cluster) {
    let pause_ms = if c.rand_chance_per_mille(100) { c.rand_below(ELECTION_TIMEOUT_MS / 2) } else { c.rand_below(13) };
    c.sleep_ms(pause_ms).await;
}

/// TestFigure82C: leaders crash fast (often before committing); a new leader
/// may finish replicating earlier uncommitted entries (the Figure 8 scenarios).
pub async fn figure8(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(c.rand_value(), 1, true).await?;
    let mut nup = servers;
    for _ in 0..1000 {
        let mut leader = None;
        for i in 0..servers {
            if c.is_alive(i) && c.start_command(i, &c.rand_value()).is_some() {
                leader = Some(i);
            }
        }
        figure8_pause(&c).await;
        if let Some(leader) = leader {
            c.crash(leader);
            nup -= 1;
        }
        if nup < 3 {
            let s = c.rand_below(servers as u64) as usize;
            if !c.is_alive(s) {
                c.start1(s);
                c.connect(s);
                nup += 1;
            }
        }
    }
    for i in 0..servers {
        if !c.is_alive(i) {
            c.start1(i);
            c.connect(i);
        }
    }
    c.one(c.rand_value(), servers, true).await?;
    Ok(())
}

/// TestUnreliableAgree2C: 246 agreements, five at a time, on a lossy network.
pub async fn unreliable_agree(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    let mut clients = Vec::new();
    for iters in 1..50i64 {
        for j in 0..4 {
            let client = c.clone();
            clients.push(c.spawn(async move { client.one(int(100 * iters + j), 1, true).await }));
        }
        c.one(int(iters), 1, true).await?;
    }
    c.set_unreliable(false);
    for client in clients {
        client.await?;
    }
    c.one(int(100), servers, true).await?;
    Ok(())
}

/// TestFigure8Unreliable2C: Figure 8 with disconnections instead of crashes,
/// on a lossy network, with long reordering from round 200 on.
pub async fn figure8_unreliable(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(int(c.rand_below(10000) as i64), 1, true).await?;
    let mut nup = servers;
    for iters in 0..1000 {
        if iters == 200 {
            c.set_long_reordering(true);
        }
        let mut leader = None;
        for i in 0..servers {
            let command = int(c.rand_below(10000) as i64);
            if c.start_command(i, &command).is_some() && c.is_connected(i) {
                leader = Some(i);
            }
        }
        figure8_pause(&c).await;
        if let Some(leader) = leader {
            if c.rand_chance_per_mille(ELECTION_TIMEOUT_MS / 2) {
                c.disconnect(leader);
                nup -= 1;
            }
        }
        if nup < 3 {
            let s = c.rand_below(servers as u64) as usize;
            if !c.is_connected(s) {
                c.connect(s);
                nup += 1;
            }
        }
    }
    for i in 0..servers {
        if !c.is_connected(i) {
            c.connect(i);
        }
    }
    c.one(int(c.rand_below(10000) as i64), servers, true).await?;
    Ok(())
}

/// TestReliableChurn2C.
pub async fn reliable_churn(c: Cluster) -> Result<(), Failure> {
    internal_churn(c, false).await
}

/// TestUnreliableChurn2C.
pub async fn unreliable_churn(c: Cluster) -> Result<(), Failure> {
    internal_churn(c, true).await
}

/// One churn client: submits random values to every live server until
/// `stop`, and returns the values it saw committed where it put them.
async fn churn_client(c: Cluster, me: u64, stop: Rc<Cell<bool>>) -> Result<Vec<i64>, Failure> {
    let mut values = Vec::new();
    while !stop.get() {
        let x = c.rand_int();
        let mut index = None;
        for i in 0..c.servers() {
            // Try them all, maybe one of them is a leader.
            if let Some((index1, _)) = c.start_command(i, &int(x)) {
                index = Some(index1);
            }
        }
        let Some(index) = index else {
            c.sleep_ms(79 + me * 17).await;
            continue;
        };
        // Maybe the leader will commit our value, maybe not; but don't wait forever.
        for pause_ms in [10, 20, 50, 100, 200] {
            let (committed, command) = c.n_committed(index)?;
            if committed > 0 {
                match command {
                    Some(Value::Int(xx)) => {
                        if xx == x {
                            values.push(x);
                        }
                    }
                    _ => fail!(LabCheck::Churn, "wrong command type"),
                }
                break;
            }
            c.sleep_ms(pause_ms).await;
        }
    }
    Ok(values)
}

/// internalChurn: three clients submit while servers are disconnected,
/// crashed and restarted at random for 20 rounds; afterwards every value a
/// client saw committed must be in the log all five servers applied.
async fn internal_churn(c: Cluster, unreliable: bool) -> Result<(), Failure> {
    // make_config(t, servers, unreliable, false): the registry's setup says the same.
    c.set_unreliable(unreliable);
    let servers = c.servers();
    let n = servers as u64;
    let stop = Rc::new(Cell::new(false));
    let clients: Vec<_> = (0..3).map(|me| c.spawn(churn_client(c.clone(), me, Rc::clone(&stop)))).collect();

    for _ in 0..20 {
        if c.rand_chance_per_mille(200) {
            let i = c.rand_below(n) as usize;
            c.disconnect(i);
        }
        if c.rand_chance_per_mille(500) {
            let i = c.rand_below(n) as usize;
            if !c.is_alive(i) {
                c.start1(i);
            }
            c.connect(i);
        }
        if c.rand_chance_per_mille(200) {
            let i = c.rand_below(n) as usize;
            if c.is_alive(i) {
                c.crash(i);
            }
        }
        // Often enough that peers can't settle between changes, rarely
        // enough that they can often keep up: 7/10 of the election timeout.
        c.sleep_ms(ELECTION_TIMEOUT_MS * 7 / 10).await;
    }

    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    c.set_unreliable(false);
    for i in 0..servers {
        if !c.is_alive(i) {
            c.start1(i);
        }
        c.connect(i);
    }
    stop.set(true);
    let mut values = Vec::new();
    for client in clients {
        match client.await {
            Ok(seen) => values.extend(seen),
            Err(failure) => return Err(Failure { reason: format!("client failed: {}", failure.reason), ..failure }),
        }
    }

    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    let last_index = c.one(c.rand_value(), servers, true).await?;
    // The lab scans a slice per value; a set gives the same answer without
    // the quadratic scan (thousands of values in a long churn).
    let mut really = std::collections::BTreeSet::new();
    for index in 1..=last_index {
        match c.wait(index, servers, -1).await? {
            Some(Value::Int(v)) => {
                really.insert(v);
            }
            _ => fail!(LabCheck::Churn, "not an int"),
        }
    }
    for v1 in values {
        if !really.contains(&v1) {
            fail!(LabCheck::Churn, "didn't find a value");
        }
    }
    Ok(())
}
