//! Crash points inside a step: a crash lands after a node's k-th output of
//! a step has been carried out and before the rest. A Raft that sends a
//! message before persisting what it depends on (Figure 2: persistent state
//! is "updated on stable storage before responding to RPCs") is then seen
//! with its message out and its state lost. Lab tests keep their own crash
//! times; nemesis scenarios arm crash points.

use api::Output;

/// Armed crash points, one per server at most.
#[derive(Clone, Debug)]
pub(crate) struct CrashPoints {
    armed: Vec<Option<usize>>,
}

impl CrashPoints {
    pub fn new(servers: usize) -> CrashPoints {
        CrashPoints { armed: vec![None; servers] }
    }

    /// Crash server `i` inside its next step that has more than `after` outputs,
    /// once `after` of them have been carried out.
    pub fn arm(&mut self, i: usize, after: usize) {
        self.armed[i] = Some(after);
    }

    pub fn disarm(&mut self, i: usize) {
        self.armed[i] = None;
    }

    pub fn is_armed(&self, i: usize) -> bool {
        self.armed[i].is_some()
    }

    /// True (and disarmed) when server `i` must crash now, `carried` outputs into its step.
    pub fn fires(&mut self, i: usize, carried: usize) -> bool {
        if self.armed[i] == Some(carried) {
            self.armed[i] = None;
            return true;
        }
        false
    }
}

/// What part of a step's outputs was carried out (or dropped by a crash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Outputs {
    pub count: usize,
    pub persisted: bool,
    pub spoke: bool,
}

impl Outputs {
    pub fn note(&mut self, output: &Output) {
        self.count += 1;
        match output {
            Output::Persist(_) => self.persisted = true,
            Output::Call { .. } | Output::Reply { .. } | Output::Send { .. } => self.spoke = true,
            Output::Apply(_) => {}
        }
    }

    /// The crash split a persist from a message: one was carried out, the other dropped.
    pub fn split_persist_and_send(carried: &Outputs, dropped: &Outputs) -> bool {
        (carried.persisted && dropped.spoke) || (carried.spoke && dropped.persisted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_once_at_the_armed_output() {
        let mut points = CrashPoints::new(2);
        points.arm(1, 2);
        assert!(!points.fires(1, 0) && !points.fires(1, 1) && !points.fires(0, 2));
        assert!(points.fires(1, 2));
        assert!(!points.is_armed(1) && !points.fires(1, 2));
    }

    #[test]
    fn a_split_needs_one_side_each() {
        let persisted = Outputs { count: 1, persisted: true, spoke: false };
        let spoke = Outputs { count: 1, persisted: false, spoke: true };
        assert!(Outputs::split_persist_and_send(&persisted, &spoke));
        assert!(Outputs::split_persist_and_send(&spoke, &persisted));
        assert!(!Outputs::split_persist_and_send(&spoke, &spoke));
    }
}
