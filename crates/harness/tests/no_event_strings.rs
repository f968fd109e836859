//! Nothing downstream of the tester recognises a trace event by its text:
//! every string literal that product code in crates/harness/src and
//! crates/cli/src compares against (`== "…"`, `!= "…"`, a match arm, or
//! `.contains/.starts_with/.ends_with/.strip_prefix/.find/.split_once/…("…")`)
//! is listed below with why, and none of them names a trace event. Events
//! are matched as types (`tester::trace::TraceEvent`), failures by their
//! `Check` and fields. A new comparison fails this test until it is listed
//! (and a listed one that is gone fails it too, so the list stays true).

use std::fs;
use std::path::{Path, PathBuf};

/// (file, literal, why it is compared).
const ALLOWED: &[(&str, &str, &str)] = &[
    ("harness/src/sweep/partition.rs", "hash", "--partition hash:K/N"),
    ("harness/src/sweep/partition.rs", "slice", "--partition slice:K/N"),
    ("harness/src/sweep/partition.rs", "count", "--partition count:K/N (nextest's other name for slice)"),
    ("harness/src/sweep/budget.rs", "ms", "--time units"),
    ("harness/src/sweep/budget.rs", "", "--time: a bare number is seconds"),
    ("harness/src/sweep/budget.rs", "s", "--time units"),
    ("harness/src/sweep/budget.rs", "m", "--time units"),
    ("harness/src/sweep/budget.rs", "min", "--time units"),
    ("harness/src/sweep/budget.rs", "h", "--time units"),
    (
        "harness/src/sweep/groups.rs",
        "#.#",
        "failure groups mask the numbers of a reason's prose (grouping, not matching)",
    ),
    ("harness/src/replay/filter.rs", "", "--from/--until: a bare number is seconds"),
    ("harness/src/replay/filter.rs", "s", "--from/--until units"),
    ("harness/src/replay/filter.rs", "ms", "--from/--until units"),
    ("harness/src/replay/filter.rs", "us", "--from/--until units"),
    ("harness/src/replay/filter.rs", "µs", "--from/--until units"),
    ("harness/src/replay/mod.rs", "json", "--timeline FILE.json"),
    ("harness/src/replay/mod.rs", "svg", "--timeline FILE.svg"),
    ("harness/src/output.rs", "-", "an output file named - is stdout"),
    ("harness/src/shrink/script.rs", "0x", "a fault script's numbers may be written in hex"),
    ("harness/src/output.rs", "/dev", "devices are written into, never replaced"),
    ("harness/src/output.rs", "/proc", "process files are written into, never replaced"),
    ("harness/src/sweep/report.rs", "-", "report - reads stdin"),
    ("harness/src/sweep/report.rs", "pass", "a JSON line's outcome field"),
    ("harness/src/sweep/report.rs", "fail", "a JSON line's outcome field"),
    ("harness/src/sweep/coverage.rs", "Nemesis", "the nemesis family's test names (their situations must be reached)"),
    ("harness/src/rafts.rs", "node-cmd: ", "a JSON header's Raft name for --node-cmd"),
    ("cli/src/lib.rs", "Usage:", "clap's usage text, trimmed from one-line errors"),
    ("cli/src/lib.rs", "For more information", "clap's hint, trimmed from one-line errors"),
    ("cli/src/lib.rs", "error: ", "clap's prefix, trimmed from one-line errors"),
];

/// Names and words of trace events, typed or from the old log text: none may be compared against.
const EVENT_WORDS: &[&str] = &[
    "step",
    "sent",
    "delivered",
    "lost",
    "started",
    "applied",
    "snapshot_installed",
    "snapshot_taken",
    "log_changed",
    "restored",
    "fault",
    "test",
    "failed",
    "connect",
    "disconnect",
    "crash",
    "restart",
    "unreliable",
    "long_reordering",
    "begin",
    "warning",
    "heal",
    "send",
    "recv",
    "apply",
    "apply snapshot",
    "became leader",
    "stepped down",
    "vote granted",
    "vote denied",
    "election timeout: standing",
    "commit advanced",
    "start: appended",
    "client start",
    "append rejected",
    "FAIL",
    "start",
    "leader",
    "candidate",
    "follower",
    "RequestVote",
    "AppendEntries",
    "InstallSnapshot",
    "VoteReply",
    "AppendReply",
];

const METHODS: &[&str] = &[
    ".contains(\"",
    ".starts_with(\"",
    ".ends_with(\"",
    ".strip_prefix(\"",
    ".strip_suffix(\"",
    ".find(\"",
    ".rfind(\"",
    ".split_once(\"",
    ".eq_ignore_ascii_case(\"",
    ".trim_start_matches(\"",
    ".trim_end_matches(\"",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The literal that starts right after `from` (an opening quote was just before it).
fn literal_at(line: &str, from: usize) -> String {
    let mut text = String::new();
    let mut chars = line[from..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '"' => break,
            c => text.push(c),
        }
    }
    text
}

/// Every literal in `part` (plain `"…"` strings).
fn literals_in(part: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = part[rest..].find('"') {
        let start = rest + open + 1;
        let literal = literal_at(part, start);
        rest = (start + literal.len() + 1).min(part.len());
        found.push(literal);
    }
    found
}

/// The literals one product line compares against.
fn compared(line: &str) -> Vec<String> {
    // A quote as a char literal opens no string.
    let code = line.trim_start().replace(r#"'"'"#, "'_'").replace(r#"'\"'"#, "'_'");
    let code = code.as_str();
    if code.starts_with("//") {
        return Vec::new();
    }
    let mut found = Vec::new();
    for operator in ["== \"", "!= \""] {
        let mut rest = 0;
        while let Some(at) = code[rest..].find(operator) {
            let start = rest + at + operator.len();
            found.push(literal_at(code, start));
            rest = start;
        }
    }
    for method in METHODS {
        let mut rest = 0;
        while let Some(at) = code[rest..].find(method) {
            let start = rest + at + method.len();
            found.push(literal_at(code, start));
            rest = start;
        }
    }
    if let Some(arm) = code.find("=>") {
        let pattern = &code[..arm];
        if !pattern.contains("format!") && !pattern.contains("println!") {
            found.extend(literals_in(pattern));
        }
    }
    if let Some(at) = code.find("matches!(") {
        found.extend(literals_in(&code[at..]));
    }
    found
}

/// The product part of a source file: everything before its `#[cfg(test)]` module.
fn product(text: &str) -> &str {
    text.find("\n#[cfg(test)]\nmod tests").map_or(text, |end| &text[..end])
}

#[test]
fn product_code_compares_no_string_naming_a_trace_event() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates/");
    let mut files = Vec::new();
    for dir in ["harness/src", "cli/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    let mut unlisted = Vec::new();
    let mut used = vec![false; ALLOWED.len()];
    for path in &files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(path).unwrap();
        for (number, line) in product(&text).lines().enumerate() {
            for literal in compared(line) {
                match ALLOWED.iter().position(|(file, allowed, _)| *file == name && *allowed == literal) {
                    Some(at) => used[at] = true,
                    None => unlisted.push(format!("{name}:{}: {literal:?} in `{}`", number + 1, line.trim())),
                }
            }
        }
    }
    assert!(unlisted.is_empty(), "string comparisons not listed in ALLOWED:\n{}", unlisted.join("\n"));
    let stale: Vec<_> = ALLOWED.iter().zip(&used).filter(|(_, used)| !**used).map(|(entry, _)| entry).collect();
    assert!(stale.is_empty(), "listed but no longer compared: {stale:?}");
    for (file, literal, why) in ALLOWED {
        assert!(!EVENT_WORDS.contains(literal), "{file}: {literal:?} names a trace event ({why})");
    }
}

#[test]
fn the_scanner_sees_each_kind_of_comparison() {
    assert_eq!(compared(r#"        "became leader" => x,"#), vec!["became leader"]);
    assert_eq!(compared(r#"    if record.message == "send" {"#), vec!["send"]);
    assert_eq!(compared(r#"    .filter(|m| m.starts_with("Vote"))"#), vec!["Vote"]);
    assert_eq!(compared(r#"    Some("json") | Some("svg") => Ok(()),"#), vec!["json", "svg"]);
    assert_eq!(
        compared(r#"    matches!(message_kind(msg), "RequestVote" | "AppendEntries")"#),
        vec!["RequestVote", "AppendEntries"]
    );
    assert_eq!(compared(r#"    // "became leader" => in a comment"#), Vec::<String>::new());
    assert_eq!(compared(r#"            '"' => out.push_str("&quot;"),"#), Vec::<String>::new());
    assert_eq!(compared(r#"    let text = format!("t{term} {role}");"#), Vec::<String>::new());
}
