//! Each server at the failure: its role and term from the last state the
//! trace recorded of it, the last index its service was handed (by apply or
//! snapshot), and whether it was disconnected or crashed (and since when).
//! A stall after a heal reads straight off these lines.

use tester::trace::{Fault, NodeView, TraceEvent, Traced};

use super::at;

#[derive(Clone, Debug, Default)]
struct Node {
    view: Option<NodeView>,
    applied: u64,
    disconnected_us: Option<u64>,
    crashed_us: Option<u64>,
}

/// One line per server.
pub fn describe(trace: &[Traced], servers: usize) -> Vec<String> {
    let mut nodes = vec![Node::default(); servers];
    for traced in trace {
        let time_us = traced.at.micros();
        match &traced.event {
            TraceEvent::Step { node, after, .. } => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    node.view = Some(*after);
                }
            }
            TraceEvent::Restored { node, state } => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    // A restarted server applies again from the start (or its snapshot).
                    node.view = Some(*state);
                    node.crashed_us = None;
                    node.applied = 0;
                }
            }
            TraceEvent::Applied { node, index, .. } | TraceEvent::SnapshotInstalled { node, index, .. } => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    node.applied = *index;
                }
            }
            TraceEvent::Fault(Fault::Connect(node)) => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    node.disconnected_us = None;
                }
            }
            TraceEvent::Fault(Fault::Disconnect(node)) => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    node.disconnected_us = node.disconnected_us.or(Some(time_us));
                }
            }
            TraceEvent::Fault(Fault::Crash(node)) => {
                if let Some(node) = nodes.get_mut(*node as usize) {
                    node.crashed_us = Some(time_us);
                }
            }
            _ => {}
        }
    }
    let mut text = vec!["servers at the failure:".to_string()];
    for (i, node) in nodes.iter().enumerate() {
        let role = match node.view {
            Some(view) => format!("{} t{}", view.role().map_or("?", |role| role.name()), view.term),
            None => "never started".into(),
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
