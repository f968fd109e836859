#!/usr/bin/env bash
# Side-by-side speed of two raftsim binaries, in one run: interleaved pairs
# (A, B, A, B, ...) of the same sweep on one worker, CPU time (user + sys)
# per run from /usr/bin/time, then the median of each side and the ratio.
# Interleaving keeps whatever else the machine does from favouring a side.
# Usage: scripts/compare.sh OLD_BINARY NEW_BINARY [PAIRS] -- SWEEP ARGS...
#   e.g. scripts/compare.sh /tmp/old/raftsim target/release/raftsim 5 -- InitialElection2A --seeds 20000
set -euo pipefail
old=$1 new=$2 pairs=${3:-5}
shift 3
[ "${1:-}" = "--" ] && shift
times=$(mktemp)
trap 'rm -f "$times"' EXIT
cpu() { /usr/bin/time -o "$times" -f '%U %S' "$@" >/dev/null 2>&1; awk '{ printf "%.3f\n", $1 + $2 }' "$times"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
a=() b=()
for _ in $(seq "$pairs"); do
  a+=("$(cpu "$old" sweep "$@" --jobs 1)")
  b+=("$(cpu "$new" sweep "$@" --jobs 1)")
done
ma=$(printf '%s\n' "${a[@]}" | median) mb=$(printf '%s\n' "${b[@]}" | median)
echo "sweep $*: old ${a[*]} (median $ma s CPU); new ${b[*]} (median $mb s CPU); new/old = $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.3f", b / a }')"
