//! Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
//! Failure-Inducing Input", TSE 2002): the `ddmin` search for a 1-minimal
//! failing subset. The test is a full run; it may say [`Verdict::Stop`]
//! when the budget is spent, and the search then returns the smallest
//! failing subset found so far. Deterministic: the candidates are tried in
//! a fixed order.

/// What one candidate did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<T> {
    /// It fails the same check: keep it — or, when given, the (no larger) set
    /// of items the failing run actually used.
    Fails(Option<Vec<T>>),
    /// It passes, or fails another way.
    Passes,
    /// The budget is spent: stop with what was found.
    Stop,
}

/// The smallest subset of `items` (a failing input) that `test` still finds failing.
pub fn ddmin<T: Clone>(items: Vec<T>, test: &mut dyn FnMut(&[T]) -> Verdict<T>) -> Vec<T> {
    match test(&[]) {
        Verdict::Fails(_) => return Vec::new(),
        Verdict::Stop => return items,
        Verdict::Passes => {}
    }
    let mut current = items;
    let mut granularity = 2usize;
    // Where the last complement that failed was: the next pass resumes there
    // instead of retrying every chunk before it (each retry is a full run).
    let mut resume = 0usize;
    while current.len() >= 2 {
        let chunks = split(current.len(), granularity);
        let mut reduced = false;
        // A chunk alone fails: keep only it (worth a run only while chunks are big).
        if granularity <= SUBSET_GRANULARITY_MAX {
            for &(from, to) in &chunks {
                match test(&current[from..to]) {
                    Verdict::Fails(used) => {
                        current = used.unwrap_or_else(|| current[from..to].to_vec());
                        granularity = 2;
                        resume = 0;
                        reduced = true;
                        break;
                    }
                    Verdict::Stop => return current,
                    Verdict::Passes => {}
                }
            }
        }
        if !reduced && granularity > 2 {
            // Everything but a chunk fails: drop that chunk.
            for k in 0..chunks.len() {
                let at = (resume + k) % chunks.len();
                let (from, to) = chunks[at];
                let rest: Vec<T> = current[..from].iter().chain(&current[to..]).cloned().collect();
                match test(&rest) {
                    Verdict::Fails(used) => {
                        current = used.unwrap_or(rest);
                        granularity = (granularity - 1).max(2);
                        resume = at;
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
            resume = 0;
        }
    }
    current
}

/// Above this many chunks, a chunk alone is too small to fail: only complements are tried.
const SUBSET_GRANULARITY_MAX: usize = 8;

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
                Verdict::Fails(None)
            } else {
                Verdict::Passes
            }
        });
        assert_eq!(found, vec![17, 83]);
        assert!(runs < 100, "{runs} runs");
    }

    #[test]
    fn an_empty_input_that_fails_is_the_answer_and_a_budget_stops_early() {
        assert!(ddmin(vec![1, 2, 3], &mut |_: &[i32]| Verdict::Fails(None)).is_empty());
        let mut left = 3;
        let found = ddmin((0..64).collect::<Vec<u32>>(), &mut |candidate: &[u32]| {
            if left == 0 {
                return Verdict::Stop;
            }
            left -= 1;
            if candidate.contains(&5) {
                Verdict::Fails(None)
            } else {
                Verdict::Passes
            }
        });
        assert!(found.contains(&5) && found.len() < 64 && found.len() > 1, "{found:?}");
    }

    #[test]
    fn a_failing_run_can_hand_back_the_items_it_used() {
        // Items past 40 are never reached: each failing candidate says so.
        let mut runs = 0;
        let found = ddmin((0..100).collect::<Vec<u32>>(), &mut |candidate: &[u32]| {
            runs += 1;
            if candidate.contains(&7) {
                Verdict::Fails(Some(candidate.iter().copied().filter(|&item| item < 40).collect()))
            } else {
                Verdict::Passes
            }
        });
        assert_eq!(found, vec![7]);
        assert!(runs < 30, "{runs} runs");
    }

    #[test]
    fn chunks_cover_every_item_once() {
        assert_eq!(split(10, 3), vec![(0, 3), (3, 6), (6, 10)]);
        assert_eq!(split(2, 8), vec![(0, 1), (1, 2)]);
    }
}
