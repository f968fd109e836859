//! The nemesis' hands on the world, beyond config.go's connect/disconnect and
//! crash1/start1: single links (one-way cuts, bridges, arbitrary
//! partitions), delayed and duplicated requests, per-node clock rates, and
//! crash points inside a step. Safety must hold under all of them (§5.6:
//! "safety must not depend on timing"); the liveness phase heals them.

use labrpc::Nemesis;

use crate::world::World;

impl World {
    /// Enables or disables the single end from → to (both must be connected to matter).
    pub fn set_link(&mut self, from: usize, to: usize, on: bool) {
        if self.net.is_enabled(from, to) == on {
            return;
        }
        self.sim.hash_add(crate::world::tag_link(from, to, on));
        self.net.enable(from, to, on);
        if !on {
            self.leaders_cut_off();
        }
    }

    /// Coverage: a leader that can reach no majority any more, holding uncommitted entries.
    fn leaders_cut_off(&mut self) {
        let servers = self.servers();
        for i in 0..servers {
            let reach = 1 + (0..servers).filter(|&j| j != i && self.net.is_enabled(i, j)).count();
            if reach == servers / 2 {
                // Exactly one link short of a majority: it just lost it.
                self.note_leader_lost(i);
            }
        }
    }

    /// The nemesis' request delays and duplicates (off: [`Nemesis::default`]).
    pub fn set_nemesis(&mut self, nemesis: Nemesis) {
        self.net.set_nemesis(nemesis);
    }

    /// Server `i`'s clock runs at `rate_per_mille` of true time from now on.
    pub fn set_clock_rate(&mut self, i: usize, rate_per_mille: u64) {
        let now = self.sim.now();
        self.peers[i].clock.set_rate(now, rate_per_mille);
    }

    /// Arms a crash of server `i` inside its next step with more than `after` outputs.
    pub fn arm_crash_point(&mut self, i: usize, after: usize) {
        self.crash_points.arm(i, after);
    }
}
