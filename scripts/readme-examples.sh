#!/usr/bin/env bash
# Regenerates every example in README.md from the real binary.
#
# An example is a ```console block right after a marker line
#   <!-- output of: raftsim ARGS -->
# The block becomes `$ raftsim ARGS` followed by what that command prints
# (stdout, then the exit code when it is not 0). crates/cli/tests/readme.rs
# runs the same commands and fails when a block drifts from the real output
# (the wall-clock figures, seeds/s and "in N s wall", excepted).
#
# The binary is built with the planted bugs in its own target directory, so
# target/release/raftsim stays the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p raftsim --features planted-bugs --target-dir target/readme
export RAFTSIM_BIN="$PWD/target/readme/release/raftsim"
python3 - README.md <<'PY'
import os, re, subprocess, sys

path = sys.argv[1]
binary = os.environ["RAFTSIM_BIN"]
lines = open(path).read().split("\n")
out, i = [], 0
marker = re.compile(r"^<!-- output of(?: \(slow\))?: raftsim (.*) -->$")
while i < len(lines):
    out.append(lines[i])
    found = marker.match(lines[i])
    i += 1
    if not found:
        continue
    args = found.group(1).split()
    assert lines[i] == "```console", f"line {i + 1}: a ```console block follows the marker"
    end = lines.index("```", i + 1)
    run = subprocess.run([binary, *args], capture_output=True, text=True)
    body = run.stdout.rstrip("\n").split("\n")
    if run.returncode != 0:
        body.append(f"(exit {run.returncode})")
    out += ["```console", "$ raftsim " + " ".join(args), *body, "```"]
    i = end + 1
    print(f"regenerated: raftsim {' '.join(args)}", file=sys.stderr)
open(path, "w").write("\n".join(out))
PY
