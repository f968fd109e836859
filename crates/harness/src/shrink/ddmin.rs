//! Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
//! Failure-Inducing Input", TSE 2002): the `ddmin` search for a 1-minimal
//! failing subset. The test is a full run; it may say [`Verdict::Stop`]
//! when the budget is spent, and the search then returns the smallest
//! failing subset found so far. Deterministic: the candidates are tried in
//! a fixed order.

/// What one candidate did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It fails the same check: keep it.
    Fails,
    /// It passes, or fails another way.
    Passes,
    /// The budget is spent: stop with what was found.
    Stop,
}

/// The smallest subset of `items` (a failing input) that `test` still finds failing.
pub fn ddmin<T: Clone>(items: Vec<T>, test: &mut dyn FnMut(&[T]) -> Verdict) -> Vec<T> {
    match test(&[]) {
        Verdict::Fails => return Vec::new(),
        Verdict::Stop => return items,
        Verdict::Passes => {}
    }
    let mut current = items;
    let mut granularity = 2usize;
    while current.len() >= 2 {
        let chunks = split(current.len(), granularity);
        let mut reduced = false;
        // A chunk alone fails: keep only it.
        for &(from, to) in &chunks {
            match test(&current[from..to]) {
                Verdict::Fails => {
                    current = current[from..to].to_vec();
                    granularity = 2;
                    reduced = true;
                    break;
                }
                Verdict::Stop => return current,
                Verdict::Passes => {}
            }
        }
        if !reduced && granularity > 2 {
            // Everything but a chunk fails: drop that chunk.
            for &(from, to) in &chunks {
                let rest: Vec<T> = current[..from].iter().chain(&current[to..]).cloned().collect();
                match test(&rest) {
                    Verdict::Fails => {
                        current = rest;
                        granularity = (granularity - 1).max(2);
                        reduced = true;
                        break;
                    }
                    Verdict::Stop => return current,
                    Verdict::Passes => {}
                }
            }
        }
        if !reduced {
            if granularity >= current.len() {
                break;
            }
            granularity = (granularity * 2).min(current.len());
        }
    }
    current
}

/// `len` items in `parts` contiguous chunks, as even as can be: (from, to) pairs.
fn split(len: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.min(len).max(1);
    (0..parts).map(|k| (k * len / parts, (k + 1) * len / parts)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_two_items_that_fail_together() {
        let items: Vec<u32> = (0..100).collect();
        let mut runs = 0;
        let found = ddmin(items, &mut |candidate: &[u32]| {
            runs += 1;
            if candidate.contains(&17) && candidate.contains(&83) {
                Verdict::Fails
            } else {
                Verdict::Passes
            }
        });
        assert_eq!(found, vec![17, 83]);
        assert!(runs < 100, "{runs} runs");
    }

    #[test]
    fn an_empty_input_that_fails_is_the_answer_and_a_budget_stops_early() {
        assert!(ddmin(vec![1, 2, 3], &mut |_: &[i32]| Verdict::Fails).is_empty());
        let mut left = 3;
        let found = ddmin((0..64).collect::<Vec<u32>>(), &mut |candidate: &[u32]| {
            if left == 0 {
                return Verdict::Stop;
            }
            left -= 1;
            if candidate.contains(&5) {
                Verdict::Fails
            } else {
                Verdict::Passes
            }
        });
        assert!(found.contains(&5) && found.len() < 64 && found.len() > 1, "{found:?}");
    }

    #[test]
    fn chunks_cover_every_item_once() {
        assert_eq!(split(10, 3), vec![(0, 3), (3, 6), (6, 10)]);
        assert_eq!(split(2, 8), vec![(0, 1), (1, 2)]);
    }
}
