//! 2A, leader election (§5.2): the lab's InitialElection, ReElection and
//! ManyElections, step for step (LAB-SPEC §4 "2A").

use tester::{fail, Cluster, Failure, LabCheck, ELECTION_TIMEOUT_MS};

/// TestInitialElection2A.
pub async fn initial_election(c: Cluster) -> Result<(), Failure> {
    // Is a leader elected?
    c.check_one_leader().await?;
    // Sleep a bit to avoid racing with followers learning of the election.
    c.sleep_ms(50).await;
    let term1 = c.check_terms()?;
    if term1 < 1 {
        fail!(LabCheck::CheckTerms, "term is {term1}, but should be at least 1");
    }
    // Does the leader and term stay the same if there is no network failure?
    c.sleep_ms(2 * ELECTION_TIMEOUT_MS).await;
    let term2 = c.check_terms()?;
    if term1 != term2 {
        c.warn("term changed even though there were no failures");
    }
    // There should still be a leader.
    c.check_one_leader().await?;
    Ok(())
}

/// TestReElection2A.
pub async fn re_election(c: Cluster) -> Result<(), Failure> {
    let n = c.servers();
    let leader1 = c.check_one_leader().await?;
    // If the leader disconnects, a new one should be elected.
    c.disconnect(leader1);
    c.check_one_leader().await?;
    // If the old leader rejoins, that shouldn't disturb the new leader.
    c.connect(leader1);
    let leader2 = c.check_one_leader().await?;
    // If there's no quorum, no new leader should be elected.
    c.disconnect(leader2);
    c.disconnect((leader2 + 1) % n);
    c.sleep_ms(2 * ELECTION_TIMEOUT_MS).await;
    // Check that the one connected server does not think it is the leader.
    c.check_no_leader()?;
    // If a quorum arises, it should elect a leader.
    c.connect((leader2 + 1) % n);
    c.check_one_leader().await?;
    // Re-join of last node shouldn't prevent leader from existing.
    c.connect(leader2);
    c.check_one_leader().await?;
    Ok(())
}

/// TestManyElections2A.
pub async fn many_elections(c: Cluster) -> Result<(), Failure> {
    let n = c.servers() as u64;
    c.check_one_leader().await?;
    for _ in 1..10 {
        // Disconnect three nodes (possibly the same one more than once).
        let victims = [c.rand_below(n), c.rand_below(n), c.rand_below(n)].map(|i| i as usize);
        for &i in &victims {
            c.disconnect(i);
        }
        // Either the current leader should still be alive, or the remaining four should elect a new one.
        c.check_one_leader().await?;
        for &i in &victims {
            c.connect(i);
        }
    }
    c.check_one_leader().await?;
    Ok(())
}
