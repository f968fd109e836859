//! 2D, log compaction (§7): Snapshot() trims the persisted log, a leader
//! brings a follower that is behind its snapshot up to date with
//! InstallSnapshot, and a restarted server resumes from its persisted
//! snapshot. The lab's seven 2D tests, step for step (LAB-SPEC §4 "2D").

use tester::{fail, Cluster, Failure, LabCheck, MAX_LOG_SIZE_BYTES, SNAPSHOT_INTERVAL};

/// snapcommon: 30 rounds of submitting 5..14 commands at the leader (or, one
/// round in three, at a follower) while a victim is disconnected or crashed.
async fn snapcommon(c: Cluster, disconnect: bool, reliable: bool, crash: bool) -> Result<(), Failure> {
    // make_config(t, servers, !reliable, true): the registry's setup says the same.
    c.set_unreliable(!reliable);
    let servers = c.servers();
    c.one(c.rand_value(), servers, true).await?;
    let mut leader1 = c.check_one_leader().await?;

    for i in 0..30 {
        let (mut victim, mut sender) = ((leader1 + 1) % servers, leader1);
        if i % 3 == 1 {
            (victim, sender) = (leader1, (leader1 + 1) % servers);
        }

        if disconnect {
            c.disconnect(victim);
            c.one(c.rand_value(), servers - 1, true).await?;
        }
        if crash {
            c.crash(victim);
            c.one(c.rand_value(), servers - 1, true).await?;
        }

        // Perhaps send enough to get a snapshot.
        let nn = SNAPSHOT_INTERVAL / 2 + c.rand_below(SNAPSHOT_INTERVAL);
        for _ in 0..nn {
            c.start_command(sender, &c.rand_value());
        }

        // Let applier threads catch up with the Start()s.
        if !disconnect && !crash {
            // Make sure all followers have caught up, so that an
            // InstallSnapshot RPC isn't required for SnapshotBasic2D.
            c.one(c.rand_value(), servers, true).await?;
        } else {
            c.one(c.rand_value(), servers - 1, true).await?;
        }

        if c.log_size() >= MAX_LOG_SIZE_BYTES {
            fail!(LabCheck::LogSize, "Log size too large");
        }
        if disconnect {
            // Reconnect a follower, who may be behind and need a snapshot to catch up.
            c.connect(victim);
            c.one(c.rand_value(), servers, true).await?;
            leader1 = c.check_one_leader().await?;
        }
        if crash {
            c.start1(victim);
            c.connect(victim);
            c.one(c.rand_value(), servers, true).await?;
            leader1 = c.check_one_leader().await?;
        }
    }
    Ok(())
}

/// TestSnapshotBasic2D.
pub async fn snapshot_basic(c: Cluster) -> Result<(), Failure> {
    snapcommon(c, false, true, false).await
}

/// TestSnapshotInstall2D.
pub async fn snapshot_install(c: Cluster) -> Result<(), Failure> {
    snapcommon(c, true, true, false).await
}

/// TestSnapshotInstallUnreliable2D.
pub async fn snapshot_install_unreliable(c: Cluster) -> Result<(), Failure> {
    snapcommon(c, true, false, false).await
}

/// TestSnapshotInstallCrash2D.
pub async fn snapshot_install_crash(c: Cluster) -> Result<(), Failure> {
    snapcommon(c, false, true, true).await
}

/// TestSnapshotInstallUnCrash2D.
pub async fn snapshot_install_uncrash(c: Cluster) -> Result<(), Failure> {
    snapcommon(c, false, false, true).await
}

/// Crashes every server, then restarts and reconnects them one by one.
fn crash_and_restart_all(c: &Cluster) {
    for i in 0..c.servers() {
        c.crash(i);
    }
    for i in 0..c.servers() {
        c.start1(i);
        c.connect(i);
    }
}

/// TestSnapshotAllCrash2D: do the servers persist their snapshots, and
/// restart from the snapshot along with the tail of the log?
pub async fn snapshot_all_crash(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(c.rand_value(), servers, true).await?;
    for _ in 0..5 {
        // Perhaps enough to get a snapshot.
        let nn = SNAPSHOT_INTERVAL / 2 + c.rand_below(SNAPSHOT_INTERVAL);
        for _ in 0..nn {
            c.one(c.rand_value(), servers, true).await?;
        }
        let index1 = c.one(c.rand_value(), servers, true).await?;
        crash_and_restart_all(&c);
        let index2 = c.one(c.rand_value(), servers, true).await?;
        if index2 < index1 + 1 {
            fail!(LabCheck::SnapshotAllCrash, "index decreased from {index1} to {index2}");
        }
    }
    Ok(())
}

/// TestSnapshotInit2D: do the servers keep their in-memory copy of the
/// snapshot at startup, so that later persisting does not erase it?
pub async fn snapshot_init(c: Cluster) -> Result<(), Failure> {
    let servers = c.servers();
    c.one(c.rand_value(), servers, true).await?;
    // Enough ops to make a snapshot.
    for _ in 0..SNAPSHOT_INTERVAL + 1 {
        c.one(c.rand_value(), servers, true).await?;
    }
    crash_and_restart_all(&c);
    // A single op, to get something written back to persistent storage.
    c.one(c.rand_value(), servers, true).await?;
    crash_and_restart_all(&c);
    // Another op, to trigger the potential bug.
    c.one(c.rand_value(), servers, true).await?;
    Ok(())
}
