//! The floor every per-event figure is compared with: a (time, seq) binary
//! heap holding `pending` events, one ChaCha8 draw per event, until `events`
//! have been handled. Shared by this crate's event_loop bench and sims'
//! per_event bench (included there by path), so both measure the same loop.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use sim::Rng;

pub fn bare_heap_and_rng(pending: u64, events: u64) -> u64 {
    let mut rng = Rng::new(1, 0);
    let mut heap = BinaryHeap::with_capacity(pending as usize + 1);
    for seq in 0..pending {
        heap.push(Reverse((rng.below(1000), seq)));
    }
    let mut seq = pending;
    let mut handled = 0;
    while let Some(Reverse((time, _))) = heap.pop() {
        handled += 1;
        if seq < events {
            heap.push(Reverse((time + rng.below(1000), seq)));
            seq += 1;
        }
    }
    handled
}
