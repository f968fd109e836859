//! docs/node-protocol.schema.json says what really goes over the pipes:
//! every line of real transcripts (raftsim-node under a snapshot test, the
//! Python example under an election test) is checked against it, with a
//! small validator for the schema keywords the file uses.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

mod common;

fn schema() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/node-protocol.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the schema file")).expect("the schema is JSON")
}

fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/$defs/").expect("local references only");
            resolve(schema, &schema["$defs"][name])
        }
        None => node,
    }
}

fn type_matches(kind: &str, value: &Value) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_u64() || value.is_i64(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("the schema uses a type this validator does not know: {other}"),
    }
}

/// Checks `value` against `node` (type, const, enum, bounds, properties, required, items).
fn check(schema: &Value, node: &Value, value: &Value, at: &str) -> Result<(), String> {
    let node = resolve(schema, node);
    let Some(rules) = node.as_object() else { return Ok(()) };
    // A property that refines a referenced definition: both apply.
    if let Some(base) = rules.get("$ref") {
        check(schema, &serde_json::json!({ "$ref": base }), value, at)?;
    }
    if let Some(kind) = rules.get("type") {
        let kinds: Vec<&str> = match kind {
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            other => vec![other.as_str().expect("a type name")],
        };
        if !kinds.iter().any(|kind| type_matches(kind, value)) {
            return Err(format!("{at}: {value} is not {kinds:?}"));
        }
    }
    if rules.get("const").is_some_and(|wanted| wanted != value) {
        return Err(format!("{at}: {value} is not {}", rules["const"]));
    }
    if rules.get("enum").and_then(Value::as_array).is_some_and(|options| !options.contains(value)) {
        return Err(format!("{at}: {value} is not one of {}", rules["enum"]));
    }
    if let (Some(min), Some(n)) = (rules.get("minimum").and_then(Value::as_u64), value.as_u64()) {
        if n < min {
            return Err(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(text)) = (rules.get("maxLength").and_then(Value::as_u64), value.as_str()) {
        if text.len() as u64 > max {
            return Err(format!("{at}: longer than {max}"));
        }
    }
    if let (Some(properties), Some(object)) = (rules.get("properties").and_then(Value::as_object), value.as_object()) {
        check_object(schema, rules, properties, object, at)?;
    }
    if let (Some(items), Some(list)) = (rules.get("items"), value.as_array()) {
        for (i, item) in list.iter().enumerate() {
            check(schema, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn check_object(
    schema: &Value,
    rules: &Map<String, Value>,
    properties: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    for required in rules.get("required").and_then(Value::as_array).into_iter().flatten() {
        let name = required.as_str().expect("a field name");
        if !object.contains_key(name) {
            return Err(format!("{at}: `{name}` is missing"));
        }
    }
    for (name, field) in object {
        match properties.get(name) {
            Some(rule) => check(schema, rule, field, &format!("{at}.{name}"))?,
            None if rules.get("additionalProperties") == Some(&Value::Bool(false)) => {
                return Err(format!("{at}: `{name}` is not in the schema"));
            }
            None => {}
        }
    }
    Ok(())
}

/// The definition for a line of `direction` (`input` or `output`), by its type.
fn definition<'a>(schema: &'a Value, direction: &str, kind: &str) -> Option<&'a Value> {
    let options = schema["$defs"][direction]["oneOf"].as_array().expect("a oneOf list");
    options.iter().map(|option| resolve(schema, option)).find(|def| def["properties"]["type"]["const"] == kind)
}

/// Runs a test over `node` with every process's stdin and stdout copied into `dir`.
fn transcripts(dir: &Path, node: &str, test: &str) -> (Vec<String>, Vec<String>) {
    std::fs::create_dir_all(dir).expect("a temp dir");
    let d = dir.display();
    let command = format!("sh -c 'tee {d}/in.$$.log | {node} | tee {d}/out.$$.log'");
    let options = tester::Options::new(sims::rafts::process_factory(&command).expect("a command line"));
    let report = sims::run_test(sims::find(test).expect("registered"), 0, &options);
    assert!(report.passed(), "{:?}", report.outcome);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir).expect("the transcripts") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a transcript");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let lines = text.lines().map(str::to_string);
        if name.starts_with("in.") {
            inputs.extend(lines)
        } else {
            outputs.extend(lines)
        }
    }
    (inputs, outputs)
}

fn assert_lines_follow_the_schema(inputs: &[String], outputs: &[String]) -> Vec<String> {
    let schema = schema();
    let mut seen = Vec::new();
    for (direction, lines) in [("input", inputs), ("output", outputs)] {
        assert!(!lines.is_empty(), "no {direction} lines");
        for line in lines {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let kind = value["type"].as_str().expect("a type").to_string();
            let def = definition(&schema, direction, &kind).unwrap_or_else(|| panic!("no {direction} `{kind}`"));
            if let Err(e) = check(&schema, def, &value, &kind) {
                panic!("{e}\nin the line: {line}");
            }
            if !seen.contains(&kind) {
                seen.push(kind);
            }
        }
    }
    seen.sort();
    seen
}

#[test]
fn the_reference_nodes_lines_follow_the_schema() {
    let dir = std::env::temp_dir().join(format!("raftsim-schema-core-{}", std::process::id()));
    let (inputs, outputs) = transcripts(&dir, env!("CARGO_BIN_EXE_raftsim-node"), "SnapshotInstall2D");
    let seen = assert_lines_follow_the_schema(&inputs, &outputs);
    for kind in ["init", "message", "start", "timeout", "snapshot", "call", "reply", "persist", "apply", "done"] {
        assert!(seen.iter().any(|seen| seen == kind), "no `{kind}` line in the transcript: {seen:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_python_examples_lines_follow_the_schema() {
    let dir = std::env::temp_dir().join(format!("raftsim-schema-python-{}", std::process::id()));
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/python/raft.py");
    let node = format!("{} -S {}", common::python3(), example.display());
    let (inputs, outputs) = transcripts(&dir, &node, "FailAgree2B");
    assert_lines_follow_the_schema(&inputs, &outputs);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let schema = schema();
    let done = definition(&schema, "output", "done").expect("done");
    let bad = [
        r#"{"type":"done","term":1,"leader":false}"#,
        r#"{"type":"done","deadline":null,"term":1,"leader":"no"}"#,
        r#"{"type":"done","deadline":null,"term":1,"leader":false,"extra":1}"#,
        r#"{"type":"done","deadline":null,"term":1,"leader":false,"log":{"from":1,"entries":[{"command":"AA=="}]}}"#,
    ];
    for line in bad {
        assert!(check(&schema, done, &serde_json::from_str(line).unwrap(), "done").is_err(), "{line}");
    }
    let good = r#"{"type":"done","deadline":null,"term":1,"leader":false,"log":{"from":1,"entries":[{"term":1}]}}"#;
    assert_eq!(check(&schema, done, &serde_json::from_str(good).unwrap(), "done"), Ok(()));
}
