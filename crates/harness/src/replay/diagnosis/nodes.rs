//! Each server at the failure: its last role and term, the last index it
//! applied (followers do not trace their commit index: applied is what they
//! learnt), and whether it was disconnected or crashed
//! (and since when). A stall after a heal reads straight off these lines.

use super::super::record::Record;
use super::{at, number};

#[derive(Clone, Debug, Default)]
struct Node {
    role: Option<String>,
    term: Option<u64>,
    applied: u64,
    disconnected_us: Option<u64>,
    crashed_us: Option<u64>,
}

/// One line per server.
pub fn describe(records: &[Record], servers: usize) -> Vec<String> {
    let mut nodes = vec![Node::default(); servers];
    for record in records {
        let Some(node) = record.node.and_then(|node| nodes.get_mut(node as usize)) else { continue };
        if let (Some(term), Some(role)) = (record.term, &record.role) {
            node.term = Some(term);
            node.role = Some(role.clone());
        }
        match record.message.as_str() {
            "apply" | "apply snapshot" => node.applied = number(record, "index").unwrap_or(node.applied),
            "connect" => node.disconnected_us = None,
            "disconnect" => node.disconnected_us = node.disconnected_us.or(Some(record.time_us)),
            "crash" => node.crashed_us = Some(record.time_us),
            "start" => {
                // A restarted server applies again from the start (or its snapshot).
                node.crashed_us = None;
                node.applied = 0;
            }
            _ => {}
        }
    }
    let mut text = vec!["servers at the failure:".to_string()];
    for (i, node) in nodes.iter().enumerate() {
        let role = match (&node.role, node.term) {
            (Some(role), Some(term)) => format!("{role} t{term}"),
            _ => "follower t0".into(),
        };
        let mut line = format!("  n{i}: {role}, applied {}", node.applied);
        if let Some(since) = node.crashed_us {
            line.push_str(&format!(", crashed since {}", at(since)));
        } else if let Some(since) = node.disconnected_us {
            line.push_str(&format!(", disconnected since {}", at(since)));
        }
        text.push(line);
    }
    text
}
