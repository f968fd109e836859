//! `raftsim replay --timeline`: the Perfetto trace-event file parses and has
//! the tracks, spans and flows; the SVG is well-formed XML with one row per
//! node; a bad path writes nothing.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::{assert_usage_error, files_in, raftsim, scratch, stderr, stdout};
use serde_json::Value;

fn events_of(path: &std::path::Path) -> Vec<Value> {
    let trace: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).expect("valid JSON");
    assert_eq!(trace["displayTimeUnit"], "ms");
    trace["traceEvents"].as_array().expect("a traceEvents array").clone()
}

#[test]
fn the_perfetto_file_has_tracks_role_spans_flows_and_drops() {
    let dir = scratch("perfetto");
    let path = dir.join("run.json");
    let output = raftsim(&["replay", "ReElection2A", "--seed", "3", "--timeline", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with(&format!("timeline: {}", path.display())));
    let events = events_of(&path);
    for event in &events {
        let phase = event["ph"].as_str().expect("every event has a phase");
        assert!(["M", "X", "s", "f", "i", "b", "e"].contains(&phase), "{event}");
        assert!(event["pid"].is_u64());
        if phase != "M" {
            assert!(event["ts"].is_u64(), "{event}");
        }
    }
    // Tracks: the test's, then one per node.
    let tracks: BTreeMap<u64, String> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| (e["tid"].as_u64().unwrap(), e["args"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(tracks.values().cloned().collect::<Vec<_>>(), vec!["test", "n0", "n1", "n2"]);
    // Role spans on every node's track, inside term spans; a leader somewhere.
    for tid in 1..=3 {
        let roles: Vec<&Value> = events.iter().filter(|e| e["cat"] == "role" && e["tid"] == tid).collect();
        assert!(!roles.is_empty(), "node track {tid} has role spans");
        for role in &roles {
            assert_eq!(role["ph"], "X");
            assert!(["follower", "candidate", "leader"].contains(&role["name"].as_str().unwrap()));
            let (ts, end) =
                (role["ts"].as_u64().unwrap(), role["ts"].as_u64().unwrap() + role["dur"].as_u64().unwrap());
            let term = events.iter().find(|e| {
                e["cat"] == "term"
                    && e["tid"] == tid
                    && e["args"]["term"] == role["args"]["term"]
                    && e["ts"].as_u64().unwrap() <= ts
                    && e["ts"].as_u64().unwrap() + e["dur"].as_u64().unwrap() >= end
            });
            assert!(term.is_some(), "a term span holds {role}");
        }
    }
    assert!(events.iter().any(|e| e["cat"] == "role" && e["name"] == "leader"));
    // Flows: every start has one finish with its id, later or at the same time, bound to send and recv slices.
    let starts: Vec<&Value> = events.iter().filter(|e| e["ph"] == "s").collect();
    let finishes: BTreeMap<u64, &Value> =
        events.iter().filter(|e| e["ph"] == "f").map(|e| (e["id"].as_u64().unwrap(), e)).collect();
    assert!(starts.len() > 50);
    assert_eq!(starts.len(), finishes.len());
    for start in &starts {
        let finish = finishes[&start["id"].as_u64().unwrap()];
        assert_eq!(finish["bp"], "e");
        assert_eq!(finish["cat"], start["cat"]);
        assert!(finish["ts"].as_u64() >= start["ts"].as_u64());
        let slice = |phase_tid: &Value, ts: &Value, prefix: &str| {
            events.iter().any(|e| {
                e["ph"] == "X"
                    && e["cat"] == "msg"
                    && e["tid"] == *phase_tid
                    && e["ts"] == *ts
                    && e["name"].as_str().unwrap().starts_with(prefix)
            })
        };
        assert!(slice(&start["tid"], &start["ts"], "send "), "{start}");
        assert!(slice(&finish["tid"], &finish["ts"], "recv "), "{finish}");
    }
    // Drops as instants on the sender's track; the test's steps on the test track.
    assert!(events.iter().any(|e| e["ph"] == "i" && e["cat"] == "drop" && e["tid"].as_u64().unwrap() >= 1));
    assert!(events
        .iter()
        .any(|e| e["ph"] == "i" && e["tid"] == 0 && e["name"].as_str().unwrap().contains("disconnect")));
    assert!(events.iter().any(|e| e["ph"] == "b" && e["name"].as_str().unwrap().ends_with(" disconnected")));
    assert_eq!(files_in(&dir), vec!["run.json"]);
}

#[test]
fn the_svg_is_well_formed_with_one_row_per_node() {
    let dir = scratch("svg");
    for (test, servers) in [("ReElection2A", 3), ("ManyElections2A", 7)] {
        let path = dir.join(format!("{test}.svg"));
        let output = raftsim(&["replay", test, "--seed", "3", "--timeline", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = fs::read_to_string(&path).unwrap();
        let document = roxmltree::Document::parse(&text).expect("well-formed XML");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let rows: Vec<_> =
            root.descendants().filter(|n| n.tag_name().name() == "g" && n.attribute("class") == Some("node")).collect();
        assert_eq!(rows.len(), servers, "{test}: one row per node");
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.attribute("id"), Some(format!("node-{i}").as_str()));
            assert!(row.descendants().any(|n| n.tag_name().name() == "rect"
                && n.attribute("class").is_some_and(|c| ["follower", "candidate", "leader"].contains(&c))));
        }
        assert!(root.descendants().any(|n| n.attribute("class") == Some("leader")), "{test}: someone led");
    }
    let reelection = fs::read_to_string(dir.join("ReElection2A.svg")).unwrap();
    assert!(reelection.contains(r#"class="disconnected""#), "partitions are shaded");
}

#[test]
fn timelines_replay_byte_for_byte() {
    let dir = scratch("timeline-replay");
    for name in ["a.json", "b.json", "a.svg", "b.svg"] {
        let path = dir.join(name);
        raftsim(&["replay", "ReElection2A", "--seed", "3", "--timeline", path.to_str().unwrap()]);
    }
    assert_eq!(fs::read(dir.join("a.json")).unwrap(), fs::read(dir.join("b.json")).unwrap());
    assert_eq!(fs::read(dir.join("a.svg")).unwrap(), fs::read(dir.join("b.svg")).unwrap());
}

#[test]
fn bad_timeline_paths_write_nothing() {
    let dir = scratch("timeline-bad");
    let missing = dir.join("no-such-dir").join("run.svg");
    assert_usage_error(
        &["replay", "InitialElection2A", "--seed", "1", "--timeline", missing.to_str().unwrap()],
        "cannot write",
    );
    let png = dir.join("run.png");
    assert_usage_error(
        &["replay", "InitialElection2A", "--seed", "1", "--timeline", png.to_str().unwrap()],
        "must end in .json (Perfetto) or .svg",
    );
    let existing = dir.join("keep.svg");
    fs::create_dir(&existing).unwrap();
    assert_usage_error(
        &["replay", "InitialElection2A", "--seed", "1", "--timeline", existing.to_str().unwrap()],
        "it is a directory",
    );
    assert_eq!(files_in(&dir), vec!["keep.svg"], "nothing half-written");
}
