//! What `replay` shows: topics (what kind of event), `--nodes`, `--topics`
//! and the `--from/--until` virtual-time window. A record passes when its
//! node is one asked for (events of no node, the test's own steps, always
//! pass the node filter), one of its topics is asked for, and its time is
//! inside the window.

use std::fmt;

use super::record::Record;

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
    fn with(self, topic: Topic) -> Topics {
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

/// The kind of a message from its summary: `RequestVote(t1 ...)` is `RequestVote`.
pub fn message_kind(msg: &str) -> &str {
    msg.split('(').next().unwrap_or(msg)
}

/// Is this message summary a request (as opposed to a reply)?
pub fn is_request(msg: &str) -> bool {
    matches!(message_kind(msg), "RequestVote" | "AppendEntries" | "InstallSnapshot")
}

/// The term a message summary carries: `AppendEntries(t3 ...)` carries 3.
pub fn message_term(msg: &str) -> Option<u64> {
    let rest = msg.split_once("(t")?.1;
    let digits = rest.find(|c: char| !c.is_ascii_digit()).map_or(rest, |end| &rest[..end]);
    digits.parse().ok()
}

fn kind_topic(msg: &str) -> Option<Topic> {
    match message_kind(msg) {
        "RequestVote" | "VoteReply" => Some(Topic::Vote),
        "AppendEntries" | "AppendReply" => Some(Topic::Append),
        "InstallSnapshot" | "SnapshotReply" => Some(Topic::Snapshot),
        _ => None,
    }
}

/// The topic that best names this event (it picks its color), then all of its topics.
pub fn classify(record: &Record) -> (Topic, Topics) {
    let message = record.message.as_str();
    let none = Topics::default();
    if let Some(msg) = record.msg.as_deref().filter(|_| matches!(message, "send" | "recv" | "lost")) {
        let kind = kind_topic(msg).unwrap_or(Topic::Net);
        let topics = none.with(Topic::Net).with(kind);
        return if message == "lost" { (Topic::Drop, topics.with(Topic::Drop)) } else { (kind, topics) };
    }
    match message {
        "election timeout: standing" => (Topic::Timer, none.with(Topic::Timer).with(Topic::Vote).with(Topic::Role)),
        "became leader" => (Topic::Role, none.with(Topic::Role).with(Topic::Vote)),
        "stepped down" => (Topic::Role, none.with(Topic::Role)),
        "begin" | "warning" | "FAIL" | "connect" | "disconnect" | "crash" | "start" => {
            (Topic::Test, none.with(Topic::Test))
        }
        "start: appended" => (Topic::Client, none.with(Topic::Client).with(Topic::Append)),
        "apply snapshot" => (Topic::Apply, none.with(Topic::Apply).with(Topic::Snapshot)),
        _ => classify_by_words(record),
    }
}

/// Events this file does not name are placed by the words they use.
fn classify_by_words(record: &Record) -> (Topic, Topics) {
    let message = record.message.to_ascii_lowercase();
    let words = [
        ("snapshot", Topic::Snapshot),
        ("vote", Topic::Vote),
        ("append", Topic::Append),
        ("commit", Topic::Commit),
        ("apply", Topic::Apply),
        ("leader", Topic::Role),
        ("timeout", Topic::Timer),
    ];
    let mut found = words.iter().filter(|(word, _)| message.contains(word)).map(|(_, topic)| *topic);
    let Some(first) = found.next() else {
        let fallback = if record.node.is_some() { Topic::Role } else { Topic::Test };
        return (fallback, Topics::default().with(fallback));
    };
    let topics = found.fold(Topics::default().with(first), Topics::with);
    (first, topics)
}

/// Which records to show.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these nodes (sorted); `None` shows all.
    pub nodes: Option<Vec<u32>>,
    pub topics: Option<Topics>,
    pub from_us: Option<u64>,
    pub until_us: Option<u64>,
}

impl Filter {
    pub fn keeps(&self, record: &Record) -> bool {
        if self.from_us.is_some_and(|from| record.time_us < from)
            || self.until_us.is_some_and(|until| record.time_us > until)
        {
            return false;
        }
        if let (Some(nodes), Some(node)) = (&self.nodes, record.node) {
            if nodes.binary_search(&node).is_err() {
                return false;
            }
        }
        self.topics.is_none_or(|wanted| classify(record).1.intersects(wanted))
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

    fn record(message: &str, msg: Option<&str>) -> Record {
        Record { node: Some(1), message: message.into(), msg: msg.map(Into::into), ..Record::default() }
    }

    #[test]
    fn events_fall_into_topics() {
        let (primary, topics) = classify(&record("send", Some("RequestVote(t1 last=0/t0)")));
        assert_eq!(primary, Topic::Vote);
        assert!(topics.contains(Topic::Net) && !topics.contains(Topic::Drop));
        let (primary, topics) = classify(&record("lost", Some("AppendEntries(t2 prev=1/t1 n=0 commit=1)")));
        assert_eq!(primary, Topic::Drop);
        assert!(topics.contains(Topic::Append) && topics.contains(Topic::Net));
        assert_eq!(classify(&record("commit advanced", None)).0, Topic::Commit);
        assert_eq!(classify(&record("append rejected", None)).0, Topic::Append);
        assert_eq!(classify(&record("vote denied", None)).0, Topic::Vote);
        assert_eq!(classify(&record("snapshot installed", None)).0, Topic::Snapshot);
        assert_eq!(classify(&record("disconnect", None)).0, Topic::Test);
    }

    #[test]
    fn message_summaries_give_kind_and_term() {
        assert_eq!(message_kind("VoteReply(t12 granted)"), "VoteReply");
        assert_eq!(message_term("VoteReply(t12 granted)"), Some(12));
        assert!(is_request("InstallSnapshot(t1 last=9/t1 102B)"));
        assert!(!is_request("AppendReply(t1 ok match=1)"));
    }

    #[test]
    fn filters_pick_nodes_topics_and_a_window() {
        let filter = Filter {
            nodes: Some(vec![0, 2]),
            topics: Some(Topics::parse("vote").unwrap()),
            from_us: Some(100),
            until_us: Some(200),
        };
        let mut vote = record("vote granted", None);
        vote.time_us = 150;
        assert!(!filter.keeps(&vote), "node 1 is not asked for");
        vote.node = Some(2);
        assert!(filter.keeps(&vote));
        vote.time_us = 201;
        assert!(!filter.keeps(&vote));
        let commit = Record { node: Some(0), time_us: 150, message: "commit advanced".into(), ..Record::default() };
        assert!(!filter.keeps(&commit));
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
