//! The README's examples are the real binary's output (issue 14): every
//! ```console block after a `<!-- output of: raftsim ARGS -->` marker is run
//! again and compared, wall-clock figures aside (seeds/s, "in N s wall").
//! `scripts/readme-examples.sh` regenerates them. The slow hunt example is
//! checked row by row: each bug, run on the test and seed the row names,
//! fails with the check and reason the row gives.

mod common;

use std::path::Path;

use common::{raftsim, stdout};

struct Example {
    args: Vec<String>,
    slow: bool,
    /// The block's lines after the `$ raftsim ...` line.
    shown: Vec<String>,
}

fn examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let mut examples = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let (slow, rest) = match line.strip_prefix("<!-- output of: raftsim ") {
            Some(rest) => (false, rest),
            None => match line.strip_prefix("<!-- output of (slow): raftsim ") {
                Some(rest) => (true, rest),
                None => continue,
            },
        };
        let args: Vec<String> = rest.trim_end_matches(" -->").split_whitespace().map(str::to_string).collect();
        assert_eq!(lines[at + 1], "```console", "README line {}: a console block follows", at + 2);
        assert_eq!(lines[at + 2], format!("$ raftsim {}", args.join(" ")), "README line {}", at + 3);
        let shown = lines[at + 3..].iter().take_while(|line| **line != "```").map(|line| line.to_string()).collect();
        examples.push(Example { args, slow, shown });
    }
    examples
}

/// The output with the wall-clock figures blanked: the seeds/s column and the speed line.
fn steady(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let is_row = cells.len() == 9 && cells[8].len() == 16 && cells[8].chars().all(|c| c.is_ascii_hexdigit());
            if is_row && cells[1].parse::<u64>().is_ok() {
                let mut cells = cells;
                cells[7] = "#";
                cells.join(" ")
            } else if line.contains(" run(s) in ") && line.ends_with(" seeds/s)") {
                line.split(" in ").next().unwrap_or_default().to_string()
            } else {
                line.clone()
            }
        })
        .collect()
}

fn needs_planted_bugs(example: &Example) -> bool {
    example.args.iter().any(|arg| arg == "--bug") || example.args[0] == "hunt"
}

#[test]
fn the_readme_examples_are_the_binarys_output() {
    let examples = examples();
    assert!(examples.len() >= 6, "the README has its examples");
    let mut checked = 0;
    for example in examples.iter().filter(|example| !example.slow) {
        if needs_planted_bugs(example) && !cfg!(feature = "planted-bugs") {
            continue;
        }
        let args: Vec<&str> = example.args.iter().map(String::as_str).collect();
        let output = raftsim(&args);
        let mut real: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
        if output.status.code() != Some(0) {
            real.push(format!("(exit {})", output.status.code().unwrap_or(-1)));
        }
        assert_eq!(
            steady(&example.shown),
            steady(&real),
            "`raftsim {}` drifted from the README: run scripts/readme-examples.sh",
            args.join(" ")
        );
        checked += 1;
    }
    assert!(checked >= 1);
}

#[cfg(feature = "planted-bugs")]
#[test]
fn every_row_of_the_readmes_hunt_table_holds() {
    let hunt =
        examples().into_iter().find(|example| example.slow && example.args[0] == "hunt").expect("a hunt example");
    let kinds = ["lab check", "invariant", "liveness", "driver"];
    let rows: Vec<&String> =
        hunt.shown.iter().filter(|line| kinds.iter().any(|kind| line.contains(&format!("  {kind}  ")))).collect();
    let bugs = stdout(&raftsim(&["bugs"])).lines().count();
    assert_eq!(rows.len(), bugs, "a row per planted bug, each caught");
    assert!(hunt.shown.iter().any(|line| line == "0 bug(s) not caught"), "every bug caught");
    for row in rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        let (bug, test, seed) = (cells[0], cells[1], cells[2]);
        let kind = kinds.iter().find(|kind| row.contains(&format!("  {kind}  "))).unwrap();
        let why = row.split_once(&format!("  {kind}  ")).unwrap().1.trim_start();
        let output = raftsim(&["run", test, "--seed", seed, "--bug", bug]);
        assert_eq!(output.status.code(), Some(100), "{row}");
        let text = stdout(&output);
        assert!(
            text.contains(&format!(": {why}\n")),
            "{bug} on {test} seed {seed} fails as the README says: {why}\n{text}"
        );
    }
}
