//! The node protocol's lines (docs/node-protocol.md, and its JSON Schema
//! docs/node-protocol.schema.json): one JSON object per line, harness → node
//! for each input, node → harness for each output and one closing `done`.
//!
//! Both directions are written through [`Input`] and [`Output`] and read
//! through the flat [`Line`], whose fields are all
//! optional so that a missing field is named in a one-line error instead of
//! a parser's generic message.

use std::borrow::Cow;

use serde::{Deserialize, Serialize, Serializer};

use crate::base64;

/// Bytes written as base64.
#[derive(Clone, Copy, Debug)]
pub struct B64<'a>(pub &'a [u8]);

impl Serialize for B64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::encode(self.0))
    }
}

/// One input, harness → node.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input<'a> {
    Init {
        me: u32,
        peers: u32,
        now: u64,
        seed: u64,
        state: B64<'a>,
        snapshot: B64<'a>,
    },
    Message {
        now: u64,
        from: u32,
        delivery: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        call: Option<u64>,
        term: Option<u64>,
        name: &'a str,
        bytes: B64<'a>,
    },
    CallFailed {
        now: u64,
        to: u32,
        call: u64,
    },
    Timeout {
        now: u64,
    },
    Start {
        now: u64,
        command: B64<'a>,
    },
    Snapshot {
        now: u64,
        index: u64,
        data: B64<'a>,
    },
}

/// A message on the wire, as a `call`, `reply` or `send` line carries it.
#[derive(Debug, Serialize)]
pub struct Wire<'a> {
    pub to: u32,
    pub term: Option<u64>,
    pub name: &'a str,
    pub bytes: B64<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// One output, node → harness.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Output<'a> {
    Call {
        call: u64,
        #[serde(flatten)]
        wire: Wire<'a>,
    },
    Reply {
        call: u64,
        #[serde(flatten)]
        wire: Wire<'a>,
    },
    Send {
        #[serde(flatten)]
        wire: Wire<'a>,
    },
    Persist {
        #[serde(skip_serializing_if = "is_zero")]
        keep: usize,
        state: B64<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        snapshot: Option<B64<'a>>,
    },
    Apply {
        index: u64,
        term: u64,
        command: B64<'a>,
    },
    ApplySnapshot {
        index: u64,
        term: u64,
        data: B64<'a>,
    },
    Note {
        text: &'a str,
    },
    Done(Done),
}

/// The line that closes a node's answer to one input.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Done {
    /// When the node next wants a `timeout` input (µs), if ever.
    pub deadline: Option<u64>,
    /// GetState.
    pub term: u64,
    pub leader: bool,
    /// After `start`: the lab index of the accepted command; absent if refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// In the answer to `init` only: `false` if the node ignores `call_failed`
    /// inputs (it resends on its own timers), so the harness need not send them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_failures: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspect: Option<Inspection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogChange>,
}

/// The inspection fields the invariants read (api::NodeState and the snapshot's term).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub role: RoleName,
    pub vote: Option<u32>,
    pub commit: u64,
    pub applied: u64,
    pub last_index: u64,
    pub last_term: u64,
    pub snapshot_index: u64,
    pub snapshot_term: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Follower,
    Candidate,
    Leader,
}

/// The log from index `from` on is now `entries` (after this step's compaction).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LogChange {
    pub from: u64,
    pub entries: Vec<EntryLine>,
}

/// One log entry: a command (base64), or an internal entry (no command).
#[derive(Debug, Serialize, Deserialize)]
pub struct EntryLine {
    pub term: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// Any line of either direction, read flat: each kind uses the fields the
/// protocol gives it (docs/node-protocol.md) and ignores the others.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Line<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    pub now: Option<u64>,
    pub me: Option<u32>,
    pub peers: Option<u32>,
    pub seed: Option<u64>,
    pub from: Option<u32>,
    pub to: Option<u32>,
    #[serde(borrow)]
    pub delivery: Option<Cow<'a, str>>,
    pub call: Option<u64>,
    pub term: Option<u64>,
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    pub summary: Option<String>,
    pub index: Option<u64>,
    /// `persist`: how many leading bytes of the saved state stay.
    pub keep: Option<usize>,
    /// Base64 fields: `state`, `snapshot`, `bytes`, `command`, `data`.
    #[serde(borrow)]
    pub state: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub snapshot: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub bytes: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub command: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub data: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
    pub deadline: Option<u64>,
    pub leader: Option<bool>,
    pub call_failures: Option<bool>,
    pub inspect: Option<Inspection>,
    pub log: Option<LogChange>,
}

/// A required field, or a one-line error naming it.
pub fn field<T>(value: Option<T>, kind: &str, name: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("a `{kind}` line without `{name}`"))
}

/// A required base64 field, decoded.
pub fn bytes_field(value: Option<&Cow<'_, str>>, kind: &str, name: &str) -> Result<Vec<u8>, String> {
    let text = field(value, kind, name)?;
    base64::decode(text).map_err(|e| format!("`{name}` of a `{kind}` line: {e}"))
}

/// One line of JSON (no newline inside: serde_json escapes them).
pub fn to_line<T: Serialize>(value: &T) -> String {
    let mut line = serde_json::to_string(value).expect("protocol lines always serialize");
    line.push('\n');
    line
}

/// Serde's skip test for a `keep` of 0 (the whole state).
fn is_zero(keep: &usize) -> bool {
    *keep == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_and_outputs_are_the_documented_lines() {
        let message = Input::Message {
            now: 5,
            from: 1,
            delivery: "request",
            call: Some(7),
            term: Some(2),
            name: "RequestVote",
            bytes: B64(b"hi"),
        };
        assert_eq!(
            to_line(&message),
            "{\"type\":\"message\",\"now\":5,\"from\":1,\"delivery\":\"request\",\"call\":7,\"term\":2,\"name\":\"RequestVote\",\"bytes\":\"aGk=\"}\n"
        );
        let wire = Wire { to: 2, term: None, name: "X", bytes: B64(b""), summary: None };
        assert_eq!(
            to_line(&Output::Call { call: 3, wire }),
            "{\"type\":\"call\",\"call\":3,\"to\":2,\"term\":null,\"name\":\"X\",\"bytes\":\"\"}\n"
        );
        let done = Done { deadline: Some(9), term: 1, leader: false, ..Done::default() };
        assert_eq!(to_line(&Output::Done(done)), "{\"type\":\"done\",\"deadline\":9,\"term\":1,\"leader\":false}\n");
    }

    #[test]
    fn flat_lines_read_what_was_written() {
        let line: Line<'_> =
            serde_json::from_str("{\"type\":\"done\",\"deadline\":null,\"term\":3,\"leader\":true,\"index\":4}")
                .unwrap();
        assert_eq!((line.kind.as_ref(), line.term, line.leader, line.index), ("done", Some(3), Some(true), Some(4)));
        assert_eq!(line.deadline, None);
        let escaped: Line<'_> = serde_json::from_str("{\"type\":\"start\",\"command\":\"a\\/b=\"}").unwrap();
        assert_eq!(escaped.command.as_deref(), Some("a/b="));
    }
}
