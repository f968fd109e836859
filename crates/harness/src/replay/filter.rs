//! What `replay` shows: topics (what kind of event), `--nodes`, `--topics`
//! and the `--from/--until` virtual-time window. An event passes when its
//! node is one asked for (events of no node, the test's own steps, always
//! pass the node filter), one of its topics is asked for, and its time is
//! inside the window. The topics of an event come from the typed trace
//! ([`super::describe`]).

use std::fmt;

use super::describe::Row;

/// What an event is about. An event can be about several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    /// Election timeouts.
    Timer,
    /// RequestVote and its replies, votes granted and denied.
    Vote,
    /// Becoming leader, stepping down.
    Role,
    /// AppendEntries and its replies, rejections with the conflict hint.
    Append,
    /// The leader's commit index moving.
    Commit,
    /// Entries and snapshots handed to the service.
    Apply,
    /// InstallSnapshot and its replies, snapshots installed.
    Snapshot,
    /// Messages the network dropped.
    Drop,
    /// Every message sent, received or dropped.
    Net,
    /// A client's Start() accepted by a leader.
    Client,
    /// The test's own steps: begin, connect, disconnect, crash, restart, warnings, failures.
    Test,
}

impl Topic {
    pub const ALL: [Topic; 11] = [
        Topic::Timer,
        Topic::Vote,
        Topic::Role,
        Topic::Append,
        Topic::Commit,
        Topic::Apply,
        Topic::Snapshot,
        Topic::Drop,
        Topic::Net,
        Topic::Client,
        Topic::Test,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Topic::Timer => "timer",
            Topic::Vote => "vote",
            Topic::Role => "role",
            Topic::Append => "append",
            Topic::Commit => "commit",
            Topic::Apply => "apply",
            Topic::Snapshot => "snapshot",
            Topic::Drop => "drop",
            Topic::Net => "net",
            Topic::Client => "client",
            Topic::Test => "test",
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of topics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Topics(u16);

impl Topics {
    pub(crate) fn with(self, topic: Topic) -> Topics {
        Topics(self.0 | topic.bit())
    }

    pub fn contains(self, topic: Topic) -> bool {
        self.0 & topic.bit() != 0
    }

    fn intersects(self, other: Topics) -> bool {
        self.0 & other.0 != 0
    }

    /// `vote,append`: the topics named, or an error naming the known ones.
    pub fn parse(list: &str) -> Result<Topics, String> {
        let mut topics = Topics::default();
        for word in list.split(',').map(str::trim).filter(|word| !word.is_empty()) {
            let topic = Topic::ALL.into_iter().find(|topic| topic.name().eq_ignore_ascii_case(word));
            let Some(topic) = topic else {
                let known: Vec<&str> = Topic::ALL.iter().map(|topic| topic.name()).collect();
                return Err(format!("unknown topic '{word}' in --topics (known: {})", known.join(", ")));
            };
            topics = topics.with(topic);
        }
        if topics == Topics::default() {
            return Err("--topics names no topic".into());
        }
        Ok(topics)
    }
}

/// Which events to show.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these nodes (sorted); `None` shows all.
    pub nodes: Option<Vec<u32>>,
    pub topics: Option<Topics>,
    pub from_us: Option<u64>,
    pub until_us: Option<u64>,
}

impl Filter {
    pub fn keeps(&self, row: &Row) -> bool {
        if self.from_us.is_some_and(|from| row.time_us < from) || self.until_us.is_some_and(|until| row.time_us > until)
        {
            return false;
        }
        if let (Some(nodes), Some(node)) = (&self.nodes, row.node) {
            if nodes.binary_search(&node).is_err() {
                return false;
            }
        }
        self.topics.is_none_or(|wanted| row.topics.intersects(wanted))
    }

    /// Is this node's column shown?
    pub fn shows_node(&self, node: u32) -> bool {
        self.nodes.as_ref().is_none_or(|nodes| nodes.binary_search(&node).is_ok())
    }
}

/// `0,2`: node ids below `servers`, sorted, or an error.
pub fn parse_nodes(list: &str, servers: usize) -> Result<Vec<u32>, String> {
    let mut nodes = Vec::new();
    for word in list.split(',').map(str::trim).filter(|word| !word.is_empty()) {
        let word = word.strip_prefix('n').unwrap_or(word);
        let node: u32 = word.parse().map_err(|_| format!("bad node '{word}' in --nodes (expected e.g. 0,2)"))?;
        if node as usize >= servers {
            return Err(format!("no node {node} in --nodes: this test has {servers} servers (0..{})", servers - 1));
        }
        nodes.push(node);
    }
    if nodes.is_empty() {
        return Err("--nodes names no node".into());
    }
    nodes.sort_unstable();
    nodes.dedup();
    Ok(nodes)
}

/// A virtual time: `2.5` or `2.5s`, `1500ms`, `300us`. Returns microseconds.
pub fn parse_time(text: &str) -> Result<u64, String> {
    let bad = || format!("bad virtual time '{text}' (expected e.g. 2.5s, 1500ms or 300us)");
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let decimals = match unit.trim() {
        "" | "s" => 6,
        "ms" => 3,
        "us" | "µs" => 0,
        _ => return Err(bad()),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let mut fraction_us = 0u64;
    for (i, digit) in fraction.bytes().enumerate() {
        if i < decimals {
            fraction_us = fraction_us * 10 + u64::from(digit - b'0');
        }
    }
    let fraction_us = fraction_us * 10u64.pow((decimals - fraction.len().min(decimals)) as u32);
    whole.checked_mul(10u64.pow(decimals as u32)).and_then(|us| us.checked_add(fraction_us)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(time_us: u64, node: u32, list: &[Topic]) -> Row {
        let topics = list.iter().fold(Topics::default(), |topics, topic| topics.with(*topic));
        Row {
            time_us,
            node: Some(node),
            state: None,
            text: String::new(),
            cell: String::new(),
            primary: list[0],
            topics,
            tone: super::super::describe::Tone::Topic,
            quiet: false,
        }
    }

    #[test]
    fn filters_pick_nodes_topics_and_a_window() {
        let filter = Filter {
            nodes: Some(vec![0, 2]),
            topics: Some(Topics::parse("vote").unwrap()),
            from_us: Some(100),
            until_us: Some(200),
        };
        assert!(!filter.keeps(&row(150, 1, &[Topic::Vote])), "node 1 is not asked for");
        assert!(filter.keeps(&row(150, 2, &[Topic::Vote, Topic::Net])));
        assert!(!filter.keeps(&row(201, 2, &[Topic::Vote])));
        assert!(!filter.keeps(&row(150, 0, &[Topic::Commit])));
        let mut test_step = row(150, 0, &[Topic::Vote]);
        test_step.node = None;
        assert!(filter.keeps(&test_step), "the test's steps pass the node filter");
    }

    #[test]
    fn arguments_parse_or_say_why() {
        assert_eq!(parse_nodes("2, n0,2", 3), Ok(vec![0, 2]));
        assert!(parse_nodes("3", 3).unwrap_err().contains("has 3 servers"));
        assert!(parse_nodes("x", 3).is_err());
        assert!(Topics::parse("vote,nope").unwrap_err().contains("known: timer, vote"));
        assert_eq!(parse_time("2.5"), Ok(2_500_000));
        assert_eq!(parse_time("2.5s"), Ok(2_500_000));
        assert_eq!(parse_time("1500ms"), Ok(1_500_000));
        assert_eq!(parse_time("0.0000019"), Ok(1));
        assert_eq!(parse_time("300us"), Ok(300));
        assert_eq!(parse_time(".5"), Ok(500_000));
        for bad in ["", "-1", "1.2.3", "3h", "s", "."] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }
}
