#!/usr/bin/env bash
# Prints the README's statistics rows: for every lab test, the `... Passed --`
# line of seed 1 in the default world and in the zero-latency one
# (`--network labrpc-exact`), as "virtual s, RPCs, bytes, commands". The
# handout's column is the lab's (LAB-SPEC §4) and is kept by hand.
#
# Usage: scripts/stats-table.sh [BIN]   (default: target/release/raftsim, built)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build -q --release -p raftsim
  bin=target/release/raftsim
fi
python3 - "$bin" <<'PY'
import re, subprocess, sys

binary = sys.argv[1]
tests = subprocess.run([binary, "list"], capture_output=True, text=True, check=True).stdout.split()
tests = [t for t in tests if re.fullmatch(r"\w+2[ABCD]", t)]
stats = re.compile(r"\.\.\. Passed --\s+(\S+)\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)")

def row(test, *network):
    run = subprocess.run([binary, "run", test, "--seed", "1", *network], capture_output=True, text=True)
    found = stats.search(run.stdout)
    if not found:
        return f"failed (exit {run.returncode})"
    secs, rpcs, size, commands = found.groups()
    return f"{secs} s, {rpcs}, {size} B, {commands}"

for test in tests:
    print(f"| {test} | {row(test)} | {row(test, '--network', 'labrpc-exact')} |")
PY
