//! The event queue: a min-heap on (virtual time, insertion sequence).
//!
//! Two events at the same virtual time pop in the order they were scheduled,
//! so the order never depends on anything but the run's own history.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use slab::Slab;

use crate::Time;

/// Items waiting for their virtual time. The heap holds only (time, seq,
/// slot), 24 bytes, so sifting never moves the (large) items themselves.
pub(crate) struct Queue<T> {
    heap: BinaryHeap<Reverse<(Time, u64, usize)>>,
    items: Slab<T>,
    next_seq: u64,
}

/// Room the queue starts with: a small cluster's pending events fit, so a
/// short run never regrows it (each regrowth is an allocation and a copy).
const INITIAL_CAPACITY: usize = 64;

impl<T> Queue<T> {
    pub(crate) fn new() -> Self {
        Queue {
            heap: BinaryHeap::with_capacity(INITIAL_CAPACITY),
            items: Slab::with_capacity(INITIAL_CAPACITY),
            next_seq: 0,
        }
    }

    pub(crate) fn push(&mut self, time: Time, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = self.items.insert(item);
        self.heap.push(Reverse((time, seq, slot)));
    }

    pub(crate) fn pop(&mut self) -> Option<(Time, T)> {
        let Reverse((time, _, slot)) = self.heap.pop()?;
        Some((time, self.items.remove(slot)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut queue = Queue::new();
        queue.push(Time::from_millis(5), "late");
        queue.push(Time::from_millis(1), "first");
        queue.push(Time::from_millis(1), "second");
        queue.push(Time::ZERO, "zero");
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).map(|(_, item)| item).collect();
        assert_eq!(order, ["zero", "first", "second", "late"]);
    }
}
