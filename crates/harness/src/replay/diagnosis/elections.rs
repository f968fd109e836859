//! Elections in the window before a failure, per term (§5.2): who stood,
//! whose votes each candidate got (its own included), why votes were denied,
//! and who won. Terms where every candidate stood at the same instant are
//! counted: split votes in lockstep point at election timeouts that are not
//! randomised.

use std::collections::{BTreeMap, BTreeSet};

use super::super::record::{Record, Value};
use super::{at, number};

/// How many terms the diagnosis lists one by one (the latest).
pub const TERMS_SHOWN: usize = 6;

/// One term's election.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Election {
    pub term: u64,
    /// When each candidate stood.
    pub stood_us: BTreeMap<u32, u64>,
    /// Each candidate's votes, its own included.
    pub votes: BTreeMap<u32, BTreeSet<u32>>,
    /// Denied votes, by reason.
    pub denied: BTreeMap<String, u64>,
    pub winner: Option<u32>,
}

impl Election {
    fn summary(&self, majority: usize) -> String {
        let tallies: Vec<String> = self
            .votes
            .iter()
            .map(|(candidate, voters)| {
                let voters: Vec<String> = voters.iter().map(|voter| format!("n{voter}")).collect();
                format!("n{candidate}←{{{}}}", voters.join(","))
            })
            .collect();
        let tallies = tallies.join(" ");
        let outcome = match self.winner {
            Some(winner) => format!("won by n{winner}: {tallies}"),
            // Votes granted, but their replies lost or too late: the candidate never heard of its majority.
            None if self.votes.values().any(|voters| voters.len() >= majority) => {
                format!("majority granted, never led: {tallies}")
            }
            None if self.votes.len() > 1 => format!("split vote {tallies}"),
            None => format!("lost: {tallies}"),
        };
        let first = self.stood_us.values().min().copied().unwrap_or(0);
        let mut line = format!("t{} at {}: {outcome}", self.term, at(first));
        if !self.denied.is_empty() {
            let denied: Vec<String> = self.denied.iter().map(|(why, count)| format!("{why} ×{count}")).collect();
            line.push_str(&format!("; denied: {}", denied.join(", ")));
        }
        line
    }

    fn in_lockstep(&self) -> bool {
        let times: BTreeSet<u64> = self.stood_us.values().copied().collect();
        self.stood_us.len() > 1 && times.len() == 1
    }
}

/// A vote denial's reason, in words.
fn why(record: &Record) -> String {
    let raw = match record.field("why") {
        Some(Value::Str(text)) => text.as_str(),
        _ => "?",
    };
    if raw.starts_with("AlreadyVoted") {
        "already voted".into()
    } else if raw == "LogNotUpToDate" {
        "log not up to date".into()
    } else if raw == "StaleTerm" {
        "stale term".into()
    } else {
        raw.to_string()
    }
}

/// The term a RequestVote message asked for: `RequestVote(t6 last=3/t1)` → 6.
fn request_term(msg: &str) -> Option<u64> {
    let rest = msg.strip_prefix("RequestVote(t")?;
    rest[..rest.find(|c: char| !c.is_ascii_digit())?].parse().ok()
}

/// The elections of every term a candidate stood in at or after `since_us`.
pub fn collect(records: &[Record], since_us: u64) -> Vec<Election> {
    let mut elections: BTreeMap<u64, Election> = BTreeMap::new();
    // The term of the last RequestVote each voter received from each candidate.
    let mut asked: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for record in records {
        let Some(node) = record.node else { continue };
        let recent = record.time_us >= since_us;
        match record.message.as_str() {
            "recv" => {
                if let (Some(peer), Some(term)) = (record.peer, record.msg.as_deref().and_then(request_term)) {
                    asked.insert((node, peer), term);
                }
            }
            "election timeout: standing" if recent => {
                let Some(term) = record.term else { continue };
                let election = elections.entry(term).or_insert_with(|| Election { term, ..Election::default() });
                election.stood_us.insert(node, record.time_us);
                election.votes.entry(node).or_default().insert(node);
            }
            "vote granted" | "vote denied" => {
                let Some(candidate) = number(record, "candidate").and_then(|c| u32::try_from(c).ok()) else { continue };
                let Some(term) = asked.get(&(node, candidate)).copied().or(record.term) else { continue };
                let Some(election) = elections.get_mut(&term) else { continue };
                if record.message == "vote granted" {
                    election.votes.entry(candidate).or_default().insert(node);
                } else {
                    *election.denied.entry(why(record)).or_default() += 1;
                }
            }
            "became leader" => {
                if let Some(election) = record.term.and_then(|term| elections.get_mut(&term)) {
                    election.winner = Some(node);
                }
            }
            _ => {}
        }
    }
    elections.into_values().collect()
}

/// The elections as a few lines.
pub fn describe(records: &[Record], servers: usize, since_us: u64) -> Vec<String> {
    let elections = collect(records, since_us);
    let majority = servers / 2 + 1;
    let (Some(first), Some(last)) = (elections.first(), elections.last()) else {
        return vec!["elections: nobody stood for election in the window".into()];
    };
    let won = elections.iter().filter(|election| election.winner.is_some()).count();
    let split = elections.iter().filter(|e| e.winner.is_none() && e.votes.len() > 1).count();
    let terms = if first.term == last.term {
        format!("term {}", first.term)
    } else {
        format!("terms {}–{}", first.term, last.term)
    };
    let mut text = vec![format!(
        "elections: {} in {terms}, {won} won, {split} split; a leader needs {majority} of {servers} votes",
        elections.len()
    )];
    let skipped = elections.len().saturating_sub(TERMS_SHOWN);
    if skipped > 0 {
        text.push(format!("  ({skipped} earlier term(s) not listed)"));
    }
    for election in &elections[skipped..] {
        text.push(format!("  {}", election.summary(majority)));
    }
    let lockstep = elections.iter().filter(|election| election.in_lockstep()).count();
    let contested = elections.iter().filter(|election| election.stood_us.len() > 1).count();
    if lockstep > 0 {
        text.push(format!(
            "  in {lockstep} of {contested} contested terms every candidate stood at the same instant: are election timeouts randomised (§5.2)?"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time_us: u64, node: u32, message: &str) -> Record {
        Record { time_us, node: Some(node), message: message.into(), ..Record::default() }
    }

    #[test]
    fn votes_count_for_the_term_the_candidate_asked_for() {
        let stand = |node, term| Record { term: Some(term), ..record(100, node, "election timeout: standing") };
        let ask = |node, peer, term: u64| Record {
            peer: Some(peer),
            msg: Some(format!("RequestVote(t{term} last=0/t0)")),
            ..record(101, node, "recv")
        };
        let answer = |node, candidate: u64, voter_term, message: &str, why: &str| {
            let mut answer = Record { term: Some(voter_term), ..record(102, node, message) };
            answer.fields.push(("candidate", Value::U64(candidate)));
            if !why.is_empty() {
                answer.fields.push(("why", Value::Str(why.into())));
            }
            answer
        };
        let records = vec![
            stand(0, 4),
            stand(1, 4),
            ask(2, 0, 4),
            answer(2, 0, 4, "vote granted", ""),
            ask(2, 1, 4),
            answer(2, 1, 4, "vote denied", "AlreadyVoted(NodeId(0))"),
            // A stale candidate's request is denied by a voter already in term 9: it counts for term 4.
            ask(1, 0, 4),
            answer(1, 0, 9, "vote denied", "StaleTerm"),
            Record { term: Some(4), ..record(103, 0, "became leader") },
        ];
        let elections = collect(&records, 0);
        assert_eq!(elections.len(), 1);
        let election = &elections[0];
        assert_eq!(election.votes[&0], BTreeSet::from([0, 2]));
        assert_eq!(election.votes[&1], BTreeSet::from([1]));
        assert_eq!(election.denied, BTreeMap::from([("already voted".into(), 1), ("stale term".into(), 1)]));
        assert_eq!(election.winner, Some(0));
        assert_eq!(
            election.summary(2),
            "t4 at 0.00s: won by n0: n0←{n0,n2} n1←{n1}; denied: already voted ×1, stale term ×1"
        );
        assert!(election.in_lockstep());
    }
}
