#!/usr/bin/env bash
# Prints the README's shrink table: every planted bug shrunk from the seed
# that the README's hunt table names for it (`raftsim shrink TEST --seed N
# --bug B`, default budget, one core), with the sizes from the script's
# header and the wall time of each shrink.
#
# Usage: scripts/shrink-table.sh [BIN]
#   (default: a planted-bugs build in target/readme, as scripts/readme-examples.sh makes)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build -q --release -p raftsim --features planted-bugs --target-dir target/readme
  bin=target/readme/release/raftsim
fi
python3 - "$bin" README.md <<'PY'
import re, subprocess, sys, time

binary, readme = sys.argv[1], sys.argv[2]
text = open(readme).read()
hunt = text[text.index("$ raftsim hunt "):]
hunt = hunt[: hunt.index("```")]
rows = re.findall(r"^([a-z-]+) +(\w+) +(\d+) +\d+ +", hunt, re.M)
if not rows:
    sys.exit("no hunt table in README.md: run scripts/readme-examples.sh first")

size = re.compile(r"# (original|shrunk): +(\d+) decisions \((\d+) on messages\), (\d+) events, (\d+) faults")
print("| bug | test, seed | original: decisions (on messages) / events / faults | shrunk: decisions (on messages) / events / faults | runs | time |")
print("|---|---|---|---|---|---|")
for bug, test, seed in rows:
    began = time.monotonic()
    run = subprocess.run([binary, "shrink", test, "--seed", seed, "--bug", bug], capture_output=True, text=True)
    took = time.monotonic() - began
    if run.returncode != 0:
        print(f"| {bug} | {test} {seed} | shrink failed (exit {run.returncode}): {run.stderr.strip()[-200:]} | | | |")
        continue
    sizes = {m[0]: f"{m[1]} ({m[2]}) / {m[3]} / {m[4]}" for m in size.findall(run.stdout)}
    runs = re.search(r"^# raftsim shrink .*: (\d+) runs$", run.stdout, re.M).group(1)
    print(f"| {bug} | {test} {seed} | {sizes['original']} | {sizes['shrunk']} | {runs} | {took:.1f} s |", flush=True)
PY
