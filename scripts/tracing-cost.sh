#!/usr/bin/env bash
# What tracing costs when it is compiled in but no subscriber is set (every
# raftsim binary), against a build with every call site compiled out
# (tracing's `max_level_off`). Issue 16's target: at most 2%.
#
# The compiled-out build is made in a scratch clone of HEAD (sims' tracing dependency
# gets `features = ["max_level_off"]`, which cargo unifies across the
# workspace); this checkout is not touched. Both sides then run
# `sweep all --seeds N --jobs 1` in interleaved pairs (CPU seconds, user +
# sys), and, when valgrind is on the machine, once under callgrind for
# instruction counts, which do not move with the machine's load.
#
# Usage: scripts/tracing-cost.sh [--seeds N] [--pairs P] [--scratch DIR]
# The scratch folder is replaced on each run; one the script did not make
# (it leaves a .raftsim-tracing-off marker) is refused, never removed.
# Exit codes: 0 done, 2 bad arguments, 1 a build or run failed.
set -euo pipefail
die() { echo "tracing-cost: $*" >&2; exit 2; }
cd "$(dirname "$0")/.."
repo=$PWD seeds=300 pairs=5 scratch="${TMPDIR:-/tmp}/raftsim-tracing-off"
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=${2:?}; shift 2 ;;
    --pairs) pairs=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    *) die "unknown argument '$1' (usage: scripts/tracing-cost.sh [--seeds N] [--pairs P] [--scratch DIR])" ;;
  esac
done
[[ $seeds =~ ^[1-9][0-9]*$ ]] || die "--seeds wants a positive integer, got '$seeds'"
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "--pairs wants a positive integer, got '$pairs'"
case "$scratch" in "$repo"|"$repo"/*) die "--scratch must be outside this checkout" ;; esac
# Only a folder this script made (it leaves a marker) is ever removed.
if [ -e "$scratch" ] && [ ! -e "$scratch/.raftsim-tracing-off" ]; then
  die "--scratch $scratch exists and is not this script's; pick another or remove it"
fi

export CARGO_TERM_COLOR=never
echo "== building this checkout (tracing compiled in) and a clone in $scratch (compiled out)"
cargo build -q --release -p raftsim || exit 1
rm -rf "$scratch" && git clone -q "$repo" "$scratch" && touch "$scratch/.raftsim-tracing-off" || exit 1
sed -i 's/^tracing.workspace = true$/tracing = { workspace = true, features = ["max_level_off"] }/' "$scratch/sims/Cargo.toml"
grep -q 'max_level_off' "$scratch/sims/Cargo.toml" || { echo "tracing-cost: could not set max_level_off in sims/Cargo.toml" >&2; exit 1; }
(cd "$scratch" && cargo build -q --release -p raftsim) || exit 1
on="$repo/target/release/raftsim" off="$scratch/target/release/raftsim"

cpu() { { /usr/bin/time -f '%U %S' "$1" sweep all --seeds "$seeds" --jobs 1 --regressions /dev/null >/dev/null; } 2>&1 | tail -1 | awk '{ printf "%.2f", $1 + $2 }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "== CPU s of sweep all --seeds $seeds --jobs 1, $pairs interleaved pairs (compiled in, compiled out)"
ins="" outs=""
for _ in $(seq "$pairs"); do
  a=$(cpu "$on") b=$(cpu "$off")
  echo "  $a  $b"
  ins="$ins $a" outs="$outs $b"
done
mi=$(echo "$ins" | median) mo=$(echo "$outs" | median)
awk -v i="$mi" -v o="$mo" 'BEGIN { printf "median: compiled in %.2f s, compiled out %.2f s: %+.1f%%\n", i, o, 100 * (i - o) / o }'

if command -v valgrind >/dev/null; then
  echo "== instructions (callgrind), sweep all --seeds 3 --jobs 1"
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" sweep all --seeds 3 --jobs 1 --regressions /dev/null 2>&1 | awk '/Collected/ { print $4 }'; }
  ci=$(count "$on") co=$(count "$off")
  awk -v i="$ci" -v o="$co" 'BEGIN { printf "compiled in %d, compiled out %d: %+.3f%%\n", i, o, 100 * (i - o) / o }'
fi
