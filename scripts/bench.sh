#!/usr/bin/env bash
# Speed of raftsim: criterion benches (per-seed cost, the bare event loop,
# message encoding) and a timed release sweep per lab part with peak RSS.
# Usage: scripts/bench.sh [SEEDS_PER_TEST]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-2000}"
export CARGO_TERM_COLOR=never

echo "== machine: $(nproc) cores, $(uname -m), $(rustc --version)"
echo
echo "== criterion: one seed per 2A test, the whole suite, the bare event loop, encoding"
quick=(-- --warm-up-time 1 --measurement-time 3)
cargo bench -q -p raftsim-sims --bench lab "${quick[@]}" 2>/dev/null | grep -E "^[a-z_/0-9A-Z]+ +time:|^ +time:|^(seed|suite)/" || true
cargo bench -q -p raftsim-sim --bench event_loop "${quick[@]}" 2>/dev/null | grep -E "time:|thrpt:|^event_loop" || true
cargo bench -q -p raftsim-raft --bench encode "${quick[@]}" 2>/dev/null | grep -E "time:|^encode" || true

echo
echo "== timed sweeps: $seeds seeds per test, all cores"
cargo build -q --release -p raftsim
printf '%-6s %10s %12s %12s %10s\n' part runs "wall s" "seeds/s" "peak RSS"
for part in 2A 2B 2C 2D; do
  runs=$(( $(target/release/raftsim list | grep -c "$part ") * seeds ))
  out=$( { /usr/bin/time -f '%e %M' target/release/raftsim sweep "$part" --seeds "$seeds" >/dev/null; } 2>&1 | tail -1)
  wall=${out% *}; rss_kb=${out#* }
  printf '%-6s %10d %12.2f %12.0f %8d MB\n' "$part" "$runs" "$wall" "$(awk -v r="$runs" -v w="$wall" 'BEGIN { print r / w }')" $((rss_kb / 1024))
done
echo
echo "targets: InitialElection2A >= 25000 seeds/s/core; ManyElections2A >= 4000; all 28 tests one seed <= 27 ms;"
echo "         per event <= 3x the bare loop; jobs 2 >= 1.8x jobs 1; peak RSS <= 64 MB and flat"
