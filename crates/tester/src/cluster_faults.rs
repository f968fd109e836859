//! The cluster's nemesis operations, for scenarios beyond the lab's: single
//! links and arbitrary partitions, delayed and duplicated requests, clock
//! drift, crash points inside a step; and the check that every command a
//! client saw committed is applied everywhere, at its index (so in the same
//! order) — State Machine Safety (§5.4.3) as a client sees it.

use labrpc::Nemesis;

use crate::coverage::Coverage;
use crate::{Check, Cluster, Failure, Value};

impl Cluster {
    /// Enables or disables the single link from → to (one-way cuts, bridges).
    pub fn set_link(&self, from: usize, to: usize, on: bool) {
        self.world.borrow_mut().set_link(from, to, on);
    }

    /// Only servers in the same group can talk: `group[i]` is server i's group.
    pub fn partition(&self, group: &[usize]) {
        let servers = self.servers();
        for from in 0..servers {
            for to in (0..servers).filter(|&to| to != from) {
                self.set_link(from, to, group[from] == group[to]);
            }
        }
    }

    /// Requests delayed and duplicated as `nemesis` says (off: `Nemesis::default()`).
    pub fn set_nemesis(&self, nemesis: Nemesis) {
        self.world.borrow_mut().set_nemesis(nemesis);
    }

    /// Server i's clock runs at `rate_per_mille` of true time from now on.
    pub fn set_clock_rate(&self, i: usize, rate_per_mille: u64) {
        self.world.borrow_mut().set_clock_rate(i, rate_per_mille);
    }

    /// Crash server i inside its next step with more than `after` outputs,
    /// once `after` of them are carried out.
    pub fn arm_crash_point(&self, i: usize, after: usize) {
        self.world.borrow_mut().arm_crash_point(i, after);
    }

    /// Whether a crash point of server i is still waiting for its step.
    pub fn crash_point_armed(&self, i: usize) -> bool {
        self.world.borrow().crash_points.is_armed(i)
    }

    /// The heal's part for nemesis faults: no delays, duplicates or pending crash points.
    pub(crate) fn heal_nemesis(&self) {
        let mut world = self.world.borrow_mut();
        world.set_nemesis(Nemesis::default());
        for i in 0..world.servers() {
            world.crash_points.disarm(i);
        }
    }

    /// A client saw `value` committed at `index`.
    pub fn note_acknowledged(&self, index: u64, value: Value) {
        self.acknowledged.borrow_mut().insert(index, value);
    }

    /// How many commands clients saw committed.
    pub fn acknowledged_count(&self) -> usize {
        self.acknowledged.borrow().len()
    }

    /// Every command a client saw committed is applied on every server at its index.
    pub fn check_acknowledged(&self) -> Result<(), Failure> {
        let world = self.world.borrow();
        for (&index, value) in self.acknowledged.borrow().iter() {
            for (i, peer) in world.peers.iter().enumerate() {
                let applied = peer.applied.get(index);
                if applied != Some(value) {
                    let got = applied.map_or("nothing".to_string(), Value::to_string);
                    let reason =
                        format!("a client saw {value} committed at index {index}, but n{i} applied {got} there");
                    return Err(Failure::new(Check::Acknowledged, reason).index(index).node(i));
                }
            }
        }
        Ok(())
    }

    /// Names the fault kinds this seed turned on (printed with the run, as VOPR prints its options).
    pub fn set_swarm(&self, faults: Vec<&'static str>) {
        *self.swarm.borrow_mut() = faults;
    }

    pub fn swarm(&self) -> Vec<&'static str> {
        self.swarm.borrow().clone()
    }

    /// The schedule coverage so far.
    pub fn coverage(&self) -> Coverage {
        self.world.borrow().coverage.coverage()
    }
}
