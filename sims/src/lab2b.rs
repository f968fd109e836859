//! 2B, log replication (§5.3, §5.4): the lab's ten agreement tests, step for
//! step, with the lab's thresholds unchanged (LAB-SPEC §4 "2B").

use tester::{fail, Cluster, Failure, LabCheck, Value, ELECTION_TIMEOUT_MS};

fn int(n: i64) -> Value {
    Value::Int(n)
}

/// TestBasicAgree2B.
pub async fn basic_agree(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    for index in 1..=3u64 {
        let (committed, _) = c.n_committed(index)?;
        if committed > 0 {
            fail!(LabCheck::NCommitted, "some have committed before Start()");
        }
        let got = c.one(int(index as i64 * 100), servers, false).await?;
        if got != index {
            fail!(LabCheck::One, "got index {got} but expected {index}");
        }
    }
    Ok(())
}

/// TestRPCBytes2B: each command is sent to each follower about once.
pub async fn rpc_bytes(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(int(99), servers, false).await?;
    let bytes0 = c.bytes_total();
    let mut sent = 0u64;
    for index in 2..12u64 {
        let command = c.rand_string(5000);
        let got = c.one(command, servers, false).await?;
        if got != index {
            fail!(LabCheck::One, "got index {got} but expected {index}");
        }
        sent += 5000;
    }
    let got = c.bytes_total() - bytes0;
    let expected = servers as u64 * sent;
    if got > expected + 50000 {
        fail!(LabCheck::RpcBytes, "too many RPC bytes; got {got}, expected {expected}");
    }
    Ok(())
}

/// TestFollowerFailure2B.
pub async fn follower_failure(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(int(101), n, false).await?;
    // Disconnect one follower from the network.
    let leader1 = c.check_one_leader().await?;
    c.disconnect((leader1 + 1) % n);
    // The leader and remaining follower should be able to agree despite the disconnected follower.
    c.one(int(102), n - 1, false).await?;
    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    c.one(int(103), n - 1, false).await?;
    // Disconnect the remaining follower.
    let leader2 = c.check_one_leader().await?;
    c.disconnect((leader2 + 1) % n);
    c.disconnect((leader2 + 2) % n);
    // Submit a command.
    let Some((index, _)) = c.start_command(leader2, &int(104)) else {
        fail!(LabCheck::Start, "leader rejected Start()");
    };
    if index != 4 {
        fail!(LabCheck::Start, "expected index 4, got {index}");
    }
    c.sleep_ms(2 * ELECTION_TIMEOUT_MS).await;
    // Check that command 104 did not commit.
    let (committed, _) = c.n_committed(index)?;
    if committed > 0 {
        fail!(LabCheck::NCommitted, "{committed} committed but no majority");
    }
    Ok(())
}

/// TestLeaderFailure2B.
pub async fn leader_failure(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(int(101), n, false).await?;
    // Disconnect the first leader.
    let leader1 = c.check_one_leader().await?;
    c.disconnect(leader1);
    // The remaining followers should elect a new leader.
    c.one(int(102), n - 1, false).await?;
    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    c.one(int(103), n - 1, false).await?;
    // Disconnect the new leader.
    let leader2 = c.check_one_leader().await?;
    c.disconnect(leader2);
    // Submit a command to each server.
    for i in 0..n {
        c.start_command(i, &int(104));
    }
    c.sleep_ms(2 * ELECTION_TIMEOUT_MS).await;
    // Check that command 104 did not commit.
    let (committed, _) = c.n_committed(4)?;
    if committed > 0 {
        fail!(LabCheck::NCommitted, "{committed} committed but no majority");
    }
    Ok(())
}

/// TestFailAgree2B.
pub async fn fail_agree(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(int(101), n, false).await?;
    // Disconnect one follower from the network.
    let leader = c.check_one_leader().await?;
    c.disconnect((leader + 1) % n);
    // The leader and remaining follower should be able to agree despite the disconnected follower.
    c.one(int(102), n - 1, false).await?;
    c.one(int(103), n - 1, false).await?;
    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    c.one(int(104), n - 1, false).await?;
    c.one(int(105), n - 1, false).await?;
    // Re-connect.
    c.connect((leader + 1) % n);
    // The full set of servers should preserve previous agreements, and be able to agree on new commands.
    c.one(int(106), n, true).await?;
    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    c.one(int(107), n, true).await?;
    Ok(())
}

/// TestFailNoAgree2B.
pub async fn fail_no_agree(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(int(10), n, false).await?;
    // 3 of 5 followers disconnect.
    let leader = c.check_one_leader().await?;
    for k in 1..=3 {
        c.disconnect((leader + k) % n);
    }
    let Some((index, _)) = c.start_command(leader, &int(20)) else {
        fail!(LabCheck::Start, "leader rejected Start()");
    };
    if index != 2 {
        fail!(LabCheck::Start, "expected index 2, got {index}");
    }
    c.sleep_ms(2 * ELECTION_TIMEOUT_MS).await;
    let (committed, _) = c.n_committed(index)?;
    if committed > 0 {
        fail!(LabCheck::NCommitted, "{committed} committed but no majority");
    }
    // Repair.
    for k in 1..=3 {
        c.connect((leader + k) % n);
    }
    // The disconnected majority may have chosen a leader from among their own ranks, forgetting index 2.
    let leader2 = c.check_one_leader().await?;
    let Some((index2, _)) = c.start_command(leader2, &int(30)) else {
        fail!(LabCheck::Start, "leader2 rejected Start()");
    };
    if !(2..=3).contains(&index2) {
        fail!(LabCheck::Start, "unexpected index {index2}");
    }
    c.one(int(1000), n, true).await?;
    Ok(())
}

/// TestConcurrentStarts2B: five concurrent Start()s get distinct indexes and all commit.
pub async fn concurrent_starts(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    for attempt in 0..5 {
        if attempt > 0 {
            // Give the situation some time to settle.
            c.sleep_ms(3000).await;
        }
        let leader = c.check_one_leader().await?;
        let Some((_, term)) = c.start_command(leader, &int(1)) else {
            continue;
        };
        let handles: Vec<_> = (0..5)
            .map(|i| {
                let c = c.clone();
                c.clone().spawn(async move {
                    match c.start_command(leader, &int(100 + i)) {
                        Some((index, term1)) if term1 == term => Some(index),
                        _ => None,
                    }
                })
            })
            .collect();
        let mut indexes = Vec::new();
        for handle in handles {
            if let Some(index) = handle.await {
                indexes.push(index);
            }
        }
        if (0..servers).any(|j| c.get_state(j).is_some_and(|(t, _)| t != term)) {
            // Term changed: can't expect low RPC counts.
            continue;
        }
        let mut failed = false;
        let mut commands = Vec::new();
        for index in indexes {
            match c.wait(index, servers, term as i64).await? {
                None => {
                    // Peers have moved on to later terms, so we can't expect all Start()s to have succeeded.
                    failed = true;
                    break;
                }
                Some(Value::Int(value)) => commands.push(value),
                Some(other) => fail!(LabCheck::Wait, "value {other} is not an int"),
            }
        }
        if failed {
            continue;
        }
        for i in 0..5 {
            if !commands.contains(&(100 + i)) {
                fail!(LabCheck::ConcurrentStarts, "cmd {} missing in {commands:?}", 100 + i);
            }
        }
        return Ok(());
    }
    fail!(LabCheck::ConcurrentStarts, "term changed too often")
}

/// TestRejoin2B.
pub async fn rejoin(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(int(101), n, true).await?;
    // Leader network failure.
    let leader1 = c.check_one_leader().await?;
    c.disconnect(leader1);
    // Make the old leader try to agree on some entries.
    for value in [102, 103, 104] {
        c.start_command(leader1, &int(value));
    }
    // New leader commits, also for index=2.
    c.one(int(103), 2, true).await?;
    // New leader network failure.
    let leader2 = c.check_one_leader().await?;
    c.disconnect(leader2);
    // Old leader connected again.
    c.connect(leader1);
    c.one(int(104), 2, true).await?;
    // All together now.
    c.connect(leader2);
    c.one(int(105), n, true).await?;
    Ok(())
}

/// TestBackup2B: the leader backs up quickly over incorrect follower logs.
pub async fn backup(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    c.one(c.rand_value(), n, true).await?;
    // Put leader and one follower in a partition.
    let leader1 = c.check_one_leader().await?;
    for k in 2..=4 {
        c.disconnect((leader1 + k) % n);
    }
    // Submit lots of commands that won't commit.
    for _ in 0..50 {
        c.start_command(leader1, &c.rand_value());
    }
    c.sleep_ms(ELECTION_TIMEOUT_MS / 2).await;
    c.disconnect(leader1);
    c.disconnect((leader1 + 1) % n);
    // Allow the other partition to recover.
    for k in 2..=4 {
        c.connect((leader1 + k) % n);
    }
    // Lots of successful commands to the new group.
    for _ in 0..50 {
        c.one(c.rand_value(), 3, true).await?;
    }
    // Now another partitioned leader and one follower.
    let leader2 = c.check_one_leader().await?;
    let mut other = (leader1 + 2) % n;
    if leader2 == other {
        other = (leader2 + 1) % n;
    }
    c.disconnect(other);
    // Lots more commands that won't commit.
    for _ in 0..50 {
        c.start_command(leader2, &c.rand_value());
    }
    c.sleep_ms(ELECTION_TIMEOUT_MS / 2).await;
    // Bring the original leader back to life.
    for i in 0..n {
        c.disconnect(i);
    }
    c.connect(leader1);
    c.connect((leader1 + 1) % n);
    c.connect(other);
    // Lots of successful commands to the new group.
    for _ in 0..50 {
        c.one(c.rand_value(), 3, true).await?;
    }
    // Now everyone.
    for i in 0..n {
        c.connect(i);
    }
    c.one(c.rand_value(), n, true).await?;
    Ok(())
}

/// TestCount2B: RPC counts aren't too high.
pub async fn count(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    let rpcs = |c: &Cluster| (0..servers).map(|j| c.rpc_count(j)).sum::<u64>();
    let leader = c.check_one_leader().await?;
    let mut total1 = rpcs(&c);
    if !(1..=30).contains(&total1) {
        fail!(LabCheck::Count, "too many or few RPCs ({total1}) to elect initial leader");
    }
    let mut total2 = 0;
    let mut success = false;
    'attempts: for attempt in 0..5 {
        if attempt > 0 {
            // Give the situation some time to settle.
            c.sleep_ms(3000).await;
        }
        let leader = c.check_one_leader().await?;
        total1 = rpcs(&c);
        let iters = 10u64;
        let Some((starti, term)) = c.start_command(leader, &int(1)) else {
            continue;
        };
        let mut commands = Vec::new();
        for i in 1..iters + 2 {
            let x = (c.rand_int() >> 32) as i32 as i64 & 0x7fff_ffff;
            commands.push(x);
            match c.start_command(leader, &int(x)) {
                Some((index, term1)) if term1 == term => {
                    if index != starti + i {
                        fail!(LabCheck::Count, "Start() failed");
                    }
                }
                _ => continue 'attempts,
            }
        }
        for i in 1..iters + 1 {
            let Some(value) = c.wait(starti + i, servers, term as i64).await? else {
                continue 'attempts;
            };
            if value != int(commands[i as usize - 1]) {
                fail!(
                    LabCheck::Count,
                    "wrong value {value} committed for index {}; expected {}",
                    starti + i,
                    commands[i as usize - 1]
                );
            }
        }
        if (0..servers).any(|j| c.get_state(j).is_some_and(|(t, _)| t != term)) {
            continue;
        }
        total2 = rpcs(&c);
        if total2 - total1 > (iters + 1 + 3) * 3 {
            fail!(LabCheck::Count, "too many RPCs ({}) for {iters} entries", total2 - total1);
        }
        success = true;
        break;
    }
    if !success {
        fail!(LabCheck::Count, "term changed too often");
    }
    let _ = leader;
    c.sleep_ms(ELECTION_TIMEOUT_MS).await;
    let total3 = rpcs(&c);
    if total3 - total2 > 3 * 20 {
        fail!(LabCheck::Count, "too many RPCs ({}) for 1 second of idleness", total3 - total2);
    }
    Ok(())
}
