//! The event queue: a min-heap on (virtual time, insertion sequence).
//!
//! Two events at the same virtual time pop in the order they were scheduled,
//! so the order never depends on anything but the run's own history.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::Time;

struct Entry<T> {
    time: Time,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Items waiting for their virtual time.
pub(crate) struct Queue<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
}

impl<T> Queue<T> {
    pub(crate) fn new() -> Self {
        Queue { heap: BinaryHeap::new(), next_seq: 0 }
    }

    pub(crate) fn push(&mut self, time: Time, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, item });
    }

    pub(crate) fn pop(&mut self) -> Option<(Time, T)> {
        self.heap.pop().map(|entry| (entry.time, entry.item))
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
