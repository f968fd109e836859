//! Failure groups: a sweep's failing seeds grouped by (test, check,
//! normalised reason), where the reason's numbers and hashes become `#` so
//! that "n2, leader of term 10, ..." and "n0, leader of term 7, ..." fall in
//! one group. Each group prints its count, its rate over the test's runs with
//! a 95% interval ([`super::rate`]) and its smallest seed, the one to replay.
//! Counts add and smallest seeds take the minimum, so groups merge to the
//! same result for any number of workers.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::engine::TestSummary;
use super::rate::Rate;
use crate::Rerun;

/// The most groups one test keeps (a reason that defeats normalisation must not grow memory).
pub const KEPT_GROUPS: usize = 64;

/// One kind of failure of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub count: u64,
    pub smallest_seed: u64,
    /// The reason as the smallest seed gave it.
    pub example: String,
}

/// A test's failure groups, keyed by (check, normalised reason).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Groups {
    pub groups: BTreeMap<(&'static str, String), Group>,
    /// Failures that found no room (more than [`KEPT_GROUPS`] kinds).
    pub other: u64,
}

impl Groups {
    pub fn add(&mut self, check: &'static str, reason: &str, seed: u64) {
        self.add_group(check, normalise(reason), Group { count: 1, smallest_seed: seed, example: reason.into() });
    }

    fn add_group(&mut self, check: &'static str, key: String, group: Group) {
        let full = self.groups.len() >= KEPT_GROUPS;
        match self.groups.get_mut(&(check, key.clone())) {
            Some(kept) => {
                kept.count += group.count;
                if group.smallest_seed < kept.smallest_seed {
                    kept.smallest_seed = group.smallest_seed;
                    kept.example = group.example;
                }
            }
            None if full => self.other += group.count,
            None => {
                self.groups.insert((check, key), group);
            }
        }
    }

    pub fn merge(&mut self, other: Groups) {
        self.other += other.other;
        for ((check, key), group) in other.groups {
            self.add_group(check, key, group);
        }
    }
}

/// The reason with every number (and hex hash) replaced by `#`: `n#, leader of term #`.
pub fn normalise(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut token = String::new();
    for c in reason.chars() {
        if c.is_ascii_alphanumeric() {
            token.push(c);
        } else {
            out.push_str(&normalise_token(&token));
            token.clear();
            out.push(c);
        }
    }
    out.push_str(&normalise_token(&token));
    // "4.998926s" became "#.#s": one number is one placeholder.
    while out.contains("#.#") {
        out = out.replace("#.#", "#");
    }
    out
}

/// A hex hash of 8+ digits becomes `#`; otherwise each run of digits does.
fn normalise_token(token: &str) -> String {
    let hex = token.len() >= 8 && token.chars().all(|c| c.is_ascii_hexdigit());
    if hex && token.chars().any(|c| c.is_ascii_digit()) {
        return "#".into();
    }
    let mut out = String::new();
    let mut in_digits = false;
    for c in token.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Writes one line per group, most frequent first (then by test, check, reason), with the replay command.
pub fn write(out: &mut dyn Write, summaries: &[TestSummary], rerun: &Rerun) -> io::Result<()> {
    let mut rows = Vec::new();
    for summary in summaries.iter().filter(|summary| summary.failed > 0) {
        for ((check, key), group) in &summary.groups.groups {
            rows.push((summary, *check, key, group));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    rows.sort_by(|a, b| b.3.count.cmp(&a.3.count).then_with(|| (a.0.name, a.1, a.2).cmp(&(b.0.name, b.1, b.2))));
    writeln!(out, "failure groups (test: check: reason with numbers as #: rate, smallest seed):")?;
    for (summary, check, key, group) in rows {
        let rate = Rate::new(group.count, summary.runs());
        writeln!(out, "{}: {check}: {key}: {rate}, smallest seed {}", summary.name, group.smallest_seed)?;
        writeln!(out, "     replay: {}", rerun.command(summary.name, group.smallest_seed))?;
    }
    for summary in summaries.iter().filter(|summary| summary.groups.other > 0) {
        writeln!(
            out,
            "{}: {} more failure(s) of other kinds (over {KEPT_GROUPS} kinds)",
            summary.name, summary.groups.other
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_ids_times_and_hashes_become_placeholders() {
        assert_eq!(
            normalise("n2, leader of term 10, holds nothing at index 2, where a term-1 entry was committed in term 1 (by n1) (at 4.998926s)"),
            "n#, leader of term #, holds nothing at index #, where a term-# entry was committed in term # (by n#) (at #s)"
        );
        assert_eq!(
            normalise("two runs of one seed differ: trace 6af48fce743d4653 then 21a5f2de7616f337, events 203 then 204"),
            "two runs of one seed differ: trace # then #, events # then #"
        );
        assert_eq!(normalise("expected one leader, got none"), "expected one leader, got none");
        assert_eq!(normalise("term 3 has 2 (>1) leaders"), "term # has # (>#) leaders");
        // Words that only look like hex stay: "deadbeef" has no digit, "added" is short.
        assert_eq!(normalise("deadbeef added"), "deadbeef added");
    }

    #[test]
    fn groups_count_and_keep_the_smallest_seed_whatever_the_merge_order() {
        let mut a = Groups::default();
        a.add("apply", "server 1 apply out of order 5", 40);
        a.add("apply", "server 2 apply out of order 9", 7);
        let mut b = Groups::default();
        b.add("apply", "server 0 apply out of order 3", 3);
        b.add("checkOneLeader", "expected one leader, got none", 12);
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        let group = &ab.groups[&("apply", "server # apply out of order #".to_string())];
        assert_eq!(group, &Group { count: 3, smallest_seed: 3, example: "server 0 apply out of order 3".into() });
    }

    #[test]
    fn group_lines_give_the_rate_and_the_seed_to_replay() {
        let mut summary = TestSummary { name: "ManyElections2A", passed: 1909, failed: 91, ..TestSummary::default() };
        for seed in 0..91 {
            summary.groups.add("checkOneLeader", "expected one leader, got none", 1000 - seed);
        }
        let mut out = Vec::new();
        write(&mut out, &[summary], &crate::Rerun::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "ManyElections2A: checkOneLeader: expected one leader, got none: 91/2000 = 4.5% (95% CI 3.7%–5.6%), smallest seed 910"
        );
        assert_eq!(lines[2], "     replay: raftsim replay ManyElections2A --seed 910");
    }
}
