//! The decision tape: every random choice a run makes is drawn through a
//! [`Source`], which either draws from its seeded [`Rng`] stream (the
//! default, at the cost of one predictable branch), draws and records what it
//! drew, or answers from a set of written [`Decisions`] instead of the seed.
//!
//! A draw is named by its *context* (the world's message id, a node's
//! incarnation, the scenario's draw count) and its *site* (what it decides:
//! `drop`, `jitter`, ...). Replaying decisions gives every listed draw its
//! written value and every unlisted one its neutral default (0, false, or the
//! caller's default for raw draws and [`Source::below_or`]), so a run recorded whole replays exactly
//! (draws equal to their default need not be written), and a short list of
//! decisions is still a complete run. A written value at or above a draw's
//! bound is taken as the largest value the draw can give.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Arc;

use crate::Rng;

/// What a draw decides, named as a fault script writes it (`drop`, `jitter`, ...).
pub type Site = &'static str;

/// How a draw is bounded, so a script can say what the value means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// U[0, n).
    Below(u64),
    /// true with this chance, as `hits` in `out_of`.
    Chance { hits: u64, out_of: u64 },
    /// A raw 64-bit draw.
    Raw,
}

/// One recorded draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub context: u64,
    pub site: Site,
    /// The value drawn (0 or 1 for a chance).
    pub value: u64,
    pub bound: Bound,
    /// The value an unlisted draw of this site takes.
    pub default: u64,
    /// Virtual time of the draw, in µs.
    pub at_us: u64,
    /// The line of code that drew it, when the caller names itself.
    pub caller: Option<&'static Location<'static>>,
}

impl Entry {
    /// Whether replaying without this entry gives the same value.
    pub fn is_default(&self) -> bool {
        self.value == self.default
    }
}

/// Written decisions for one stream: by context, the (site, value) pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    by_context: BTreeMap<u64, Vec<(String, u64)>>,
}

impl Decisions {
    /// Sets the draw `site` of `context` to `value` (a second write wins).
    pub fn set(&mut self, context: u64, site: &str, value: u64) {
        let sites = self.by_context.entry(context).or_default();
        match sites.iter_mut().find(|(name, _)| name == site) {
            Some(slot) => slot.1 = value,
            None => sites.push((site.to_string(), value)),
        }
    }

    /// The written value of `site` in `context`, if any.
    pub fn get(&self, context: u64, site: &str) -> Option<u64> {
        self.by_context.get(&context)?.iter().find(|(name, _)| name == site).map(|&(_, value)| value)
    }

    /// Every written decision, by context then in writing order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[(String, u64)])> {
        self.by_context.iter().map(|(&context, sites)| (context, sites.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.by_context.is_empty()
    }

    /// How many contexts have a written decision.
    pub fn contexts(&self) -> usize {
        self.by_context.len()
    }

    /// Keeps only the contexts `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(u64, &[(String, u64)]) -> bool) {
        self.by_context.retain(|&context, sites| keep(context, sites));
    }

    /// The non-default draws of a recording.
    pub fn from_entries(entries: &[Entry]) -> Decisions {
        let mut decisions = Decisions::default();
        for entry in entries.iter().filter(|entry| !entry.is_default()) {
            decisions.set(entry.context, entry.site, entry.value);
        }
        decisions
    }
}

enum Mode {
    Seed,
    Record(Vec<Entry>),
    /// Written decisions, and what was drawn from them when recording.
    Replay(Arc<Decisions>, Option<Vec<Entry>>),
}

/// One stream of draws (see the module doc).
pub struct Source {
    rng: Rng,
    mode: Mode,
    context: u64,
    at_us: u64,
}

impl Source {
    /// Draws from stream `stream` of `seed`, recording nothing.
    pub fn seeded(seed: u64, stream: u64) -> Source {
        Source { rng: Rng::new(seed, stream), mode: Mode::Seed, context: 0, at_us: 0 }
    }

    /// Draws from stream `stream` of `seed` and records every draw.
    pub fn recording(seed: u64, stream: u64) -> Source {
        Source { mode: Mode::Record(Vec::new()), ..Source::seeded(seed, stream) }
    }

    /// Answers every draw from `decisions` (unlisted: the default); no seed.
    pub fn replaying(decisions: Arc<Decisions>) -> Source {
        Source { mode: Mode::Replay(decisions, None), ..Source::seeded(0, 0) }
    }

    /// [`Source::replaying`], recording every draw (what the written decisions gave).
    pub fn replaying_recorded(decisions: Arc<Decisions>) -> Source {
        Source { mode: Mode::Replay(decisions, Some(Vec::new())), ..Source::seeded(0, 0) }
    }

    /// Names the draws that follow: their context and virtual time.
    #[inline]
    pub fn set_context(&mut self, context: u64, at_us: u64) {
        self.context = context;
        self.at_us = at_us;
    }

    pub fn context(&self) -> u64 {
        self.context
    }

    /// What a recording source drew, in order (empty otherwise).
    pub fn take_entries(&mut self) -> Vec<Entry> {
        match &mut self.mode {
            Mode::Record(entries) | Mode::Replay(_, Some(entries)) => std::mem::take(entries),
            _ => Vec::new(),
        }
    }

    /// U[0, bound) (`bound` > 0); default 0.
    #[inline]
    pub fn below(&mut self, site: Site, bound: u64) -> u64 {
        if let Mode::Seed = self.mode {
            return self.rng.below(bound);
        }
        self.slow_below(site, bound, None)
    }

    /// U[0, bound), where an unlisted draw of a replay takes `default` (< `bound`)
    /// rather than 0: for a draw whose 0 is an extreme, not a neutral choice.
    #[inline]
    pub fn below_or(&mut self, site: Site, bound: u64, default: u64) -> u64 {
        if let Mode::Seed = self.mode {
            return self.rng.below(bound);
        }
        self.slow_below_or(site, bound, default, None)
    }

    /// [`Source::below`], noting the caller's line in the recording.
    #[inline]
    #[track_caller]
    pub fn below_here(&mut self, site: Site, bound: u64) -> u64 {
        if let Mode::Seed = self.mode {
            return self.rng.below(bound);
        }
        self.slow_below(site, bound, Some(Location::caller()))
    }

    /// True with probability `per_mille`/1000; default false.
    #[inline]
    pub fn chance_per_mille(&mut self, site: Site, per_mille: u64) -> bool {
        self.chance_in(site, 1000, per_mille)
    }

    /// True when U[0, out_of) < hits (the same draw as `below(out_of) < hits`); default false.
    #[inline]
    pub fn chance_in(&mut self, site: Site, out_of: u64, hits: u64) -> bool {
        if let Mode::Seed = self.mode {
            return self.rng.below(out_of) < hits;
        }
        self.slow_chance(site, out_of, hits, None)
    }

    /// [`Source::chance_in`], noting the caller's line in the recording.
    #[inline]
    #[track_caller]
    pub fn chance_in_here(&mut self, site: Site, out_of: u64, hits: u64) -> bool {
        if let Mode::Seed = self.mode {
            return self.rng.below(out_of) < hits;
        }
        self.slow_chance(site, out_of, hits, Some(Location::caller()))
    }

    /// A raw 64-bit draw; unlisted in a replay, `default`.
    #[inline]
    #[track_caller]
    pub fn next_u64(&mut self, site: Site, default: u64) -> u64 {
        let caller = Location::caller();
        match &mut self.mode {
            Mode::Seed => self.rng.next_u64(),
            Mode::Record(_) => {
                let value = self.rng.next_u64();
                let entry = self.entry_of(site, value, Bound::Raw, default, Some(caller));
                self.push(entry);
                value
            }
            Mode::Replay(decisions, _) => {
                let value = decisions.get(self.context, site).unwrap_or(default);
                let entry = self.entry_of(site, value, Bound::Raw, default, Some(caller));
                self.push(entry);
                value
            }
        }
    }

    fn entry_of(
        &self,
        site: Site,
        value: u64,
        bound: Bound,
        default: u64,
        caller: Option<&'static Location<'static>>,
    ) -> Entry {
        Entry { context: self.context, site, value, bound, default, at_us: self.at_us, caller }
    }

    #[cold]
    fn slow_below(&mut self, site: Site, bound: u64, caller: Option<&'static Location<'static>>) -> u64 {
        self.slow_below_or(site, bound, 0, caller)
    }

    #[cold]
    fn slow_below_or(
        &mut self,
        site: Site,
        bound: u64,
        default: u64,
        caller: Option<&'static Location<'static>>,
    ) -> u64 {
        match &mut self.mode {
            Mode::Seed => self.rng.below(bound),
            Mode::Record(_) => {
                let value = self.rng.below(bound);
                let entry = self.entry_of(site, value, Bound::Below(bound), default, caller);
                self.push(entry);
                value
            }
            Mode::Replay(decisions, _) => {
                assert!(bound > 0, "Source::below(0)");
                let value = decisions.get(self.context, site).unwrap_or(default).min(bound - 1);
                let entry = self.entry_of(site, value, Bound::Below(bound), default, caller);
                self.push(entry);
                value
            }
        }
    }

    #[cold]
    fn slow_chance(&mut self, site: Site, out_of: u64, hits: u64, caller: Option<&'static Location<'static>>) -> bool {
        match &mut self.mode {
            Mode::Seed => self.rng.below(out_of) < hits,
            Mode::Record(_) => {
                let hit = self.rng.below(out_of) < hits;
                let entry = self.entry_of(site, u64::from(hit), Bound::Chance { hits, out_of }, 0, caller);
                self.push(entry);
                hit
            }
            Mode::Replay(decisions, _) => {
                let hit = decisions.get(self.context, site).unwrap_or(0) != 0;
                let entry = self.entry_of(site, u64::from(hit), Bound::Chance { hits, out_of }, 0, caller);
                self.push(entry);
                hit
            }
        }
    }

    fn push(&mut self, entry: Entry) {
        if let Mode::Record(entries) | Mode::Replay(_, Some(entries)) = &mut self.mode {
            entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(source: &mut Source) -> Vec<u64> {
        (0..50)
            .map(|i| {
                source.set_context(i / 3, i);
                match i % 3 {
                    0 => source.below("a", 97),
                    1 => u64::from(source.chance_per_mille("b", 300)),
                    _ => source.next_u64("c", 5),
                }
            })
            .collect()
    }

    #[test]
    fn recording_draws_what_the_seed_draws() {
        let mut plain = Rng::new(9, 4);
        let mut source = Source::recording(9, 4);
        let recorded = draws(&mut source);
        let expected: Vec<u64> = (0..50)
            .map(|i| match i % 3 {
                0 => plain.below(97),
                1 => u64::from(plain.below(1000) < 300),
                _ => plain.next_u64(),
            })
            .collect();
        assert_eq!(recorded, expected);
        assert_eq!(draws(&mut Source::seeded(9, 4)), expected);
        assert_eq!(source.take_entries().len(), 50);
    }

    #[test]
    fn replaying_the_non_default_draws_gives_the_same_values() {
        let mut source = Source::recording(3, 1);
        let recorded = draws(&mut source);
        let decisions = Decisions::from_entries(&source.take_entries());
        assert!(decisions.contexts() > 0);
        let mut replay = Source::replaying_recorded(Arc::new(decisions));
        assert_eq!(draws(&mut replay), recorded);
        let again = Decisions::from_entries(&replay.take_entries());
        assert_eq!(again, Decisions::from_entries(&source_entries_again()), "a replay records what it drew");
    }

    fn source_entries_again() -> Vec<Entry> {
        let mut source = Source::recording(3, 1);
        draws(&mut source);
        source.take_entries()
    }

    #[test]
    fn unlisted_draws_take_their_defaults_and_values_are_bounded() {
        let mut decisions = Decisions::default();
        decisions.set(4, "a", 1_000);
        let mut replay = Source::replaying(Arc::new(decisions));
        replay.set_context(4, 0);
        assert_eq!(replay.below("a", 10), 9, "clamped to the bound");
        assert!(!replay.chance_per_mille("b", 999));
        assert_eq!(replay.next_u64("c", 77), 77);
        replay.set_context(5, 0);
        assert_eq!(replay.below("a", 10), 0);
        assert_eq!(replay.below_or("a", 10, 4), 4, "an unlisted draw with a default takes it");
        let mut recording = Source::recording(1, 1);
        let value = recording.below_or("d", 10, 4);
        let entry = recording.take_entries()[0];
        assert_eq!((entry.value, entry.default, entry.is_default()), (value, 4, value == 4));
    }
}
