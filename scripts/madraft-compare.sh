#!/usr/bin/env bash
# Side-by-side speed of raftsim and MadRaft (the madsim 6.824 labs) on the 23
# lab-2 tests both have: CPU time (user + sys, /usr/bin/time) per seed on each
# side, in interleaved pairs (MadRaft, raftsim, MadRaft, raftsim, ...) as
# scripts/compare.sh does, the median of each side, the ratio, and the total;
# and the same ratio from each side's fastest process (on a shared machine
# noise only ever adds time, so the minimum is the steadier estimate).
#
# MadRaft's code is never copied into this repository: the script copies the
# checkout you name into a scratch folder OUTSIDE the repository, patches the
# copy there and builds it there:
#   - madsim pinned to 0.1.3 from the registry and patched where it
#     transmutes a 128-bit `TypeId` into a u64 (UB, and a compile error on
#     current Rust): the TypeId is hashed instead (SipHash with fixed keys, so
#     the tag is the same on every run);
#   - the solution's one `select!` (raft.rs) made `select_biased!`, so a seed
#     replays the same way (`select!` draws from the thread RNG).
# One MadRaft process runs one test for N seeds (MADSIM_TEST_SEED = the first
# seed, MADSIM_TEST_NUM = N: madsim's #[madsim::test] runs seeds first ..
# first+N-1 in one process); one raftsim process sweeps the same test for N
# seeds on one worker. N is calibrated per side (twice: at --seeds seeds, then
# at the N that gives, since a few seeds' CPU is mostly start-up) so a process
# runs long enough for its start-up to vanish; CPU time comes from wait4 (µs
# resolution).
#
# Usage: scripts/madraft-compare.sh MADRAFT_CHECKOUT [options]
#   --raftsim BIN    the raftsim binary (default: target/release/raftsim, built if absent)
#   --scratch DIR    where MadRaft is copied and built (default: ${TMPDIR:-/tmp}/raftsim-madraft)
#   --seeds N        the fewest seeds per process, also the calibration run (default 5)
#   --target S       CPU seconds one measured process aims at (default 0.5); N per
#                    side = S / (calibrated CPU per seed), between --seeds and 20000
#   --pairs P        interleaved pairs per test (default 5)
#   --tests LIST     comma list of raftsim names to run (default: all 23)
# The last complete MadRaft solution is commit 1fb63d5:
#   git clone https://github.com/madsim-rs/MadRaft /tmp/MadRaft && git -C /tmp/MadRaft checkout 1fb63d5
# Exit codes: 0 table printed; 2 bad arguments; 3 MadRaft build failed;
#             4 a run failed (the table marks it FAIL).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
self="$repo/scripts/$(basename "$0")"
die() { echo "madraft-compare: $1" >&2; exit "${2:-2}"; }

[ $# -ge 1 ] || die "usage: scripts/madraft-compare.sh MADRAFT_CHECKOUT [--raftsim BIN] [--scratch DIR] [--seeds N] [--pairs P] [--tests LIST]"
src=$1; shift
raftsim="$repo/target/release/raftsim" scratch="${TMPDIR:-/tmp}/raftsim-madraft" seeds=5 pairs=5 only="" target=0.5 max_seeds=20000
while [ $# -gt 0 ]; do
  case $1 in
    --raftsim) raftsim=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    --seeds) seeds=${2:?}; shift 2 ;;
    --target) target=${2:?}; shift 2 ;;
    --pairs) pairs=${2:?}; shift 2 ;;
    --tests) only=${2:?}; shift 2 ;;
    *) die "unknown option '$1'" ;;
  esac
done
[[ $seeds =~ ^[1-9][0-9]*$ ]] || die "--seeds wants a positive integer, got '$seeds'"
[[ $target =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--target wants seconds, got '$target'"
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "--pairs wants a positive integer, got '$pairs'"
[ -f "$src/src/raft/raft.rs" ] && [ -f "$src/src/raft/tests.rs" ] || die "'$src' is not a MadRaft checkout with a solution (no src/raft/raft.rs)"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
case "$scratch/" in "$repo"/*) die "the scratch folder must be outside the repository ($scratch)" ;; esac
if git -C "$scratch" rev-parse --show-toplevel >/dev/null 2>&1; then
  die "the scratch folder must not be inside any git repository ($scratch)"
fi

# The 23 common tests: raftsim name, MadRaft test path.
tests=(
  InitialElection2A:raft::tests::initial_election_2a
  ReElection2A:raft::tests::reelection_2a
  ManyElections2A:raft::tests::many_election_2a
  BasicAgree2B:raft::tests::basic_agree_2b
  FailAgree2B:raft::tests::fail_agree_2b
  FailNoAgree2B:raft::tests::fail_no_agree_2b
  ConcurrentStarts2B:raft::tests::concurrent_starts_2b
  Rejoin2B:raft::tests::rejoin_2b
  Backup2B:raft::tests::backup_2b
  Count2B:raft::tests::count_2b
  Persist12C:raft::tests::persist1_2c
  Persist22C:raft::tests::persist2_2c
  Persist32C:raft::tests::persist3_2c
  Figure82C:raft::tests::figure_8_2c
  UnreliableAgree2C:raft::tests::unreliable_agree_2c
  Figure8Unreliable2C:raft::tests::figure_8_unreliable_2c
  ReliableChurn2C:raft::tests::reliable_churn_2c
  UnreliableChurn2C:raft::tests::unreliable_churn_2c
  SnapshotBasic2D:raft::tests::snapshot_basic_2d
  SnapshotInstall2D:raft::tests::snapshot_install_2d
  SnapshotInstallUnreliable2D:raft::tests::snapshot_install_unreliable_2d
  SnapshotInstallCrash2D:raft::tests::snapshot_install_crash_2d
  SnapshotInstallUnCrash2D:raft::tests::snapshot_install_unreliable_crash_2d
)

# --- build MadRaft in the scratch folder -------------------------------------
export CARGO_TARGET_DIR="$scratch/target"
# The copy is patched and built again only when the checkout changed.
stamp=$( (cd "$src" && find . -path ./.git -prune -o -path ./target -prune -o -type f -print0 | sort -z | xargs -0 sha256sum; cat "$self") | sha256sum | cut -c1-16)
bin=$(cat "$scratch/built-$stamp" 2>/dev/null || true)
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
echo "== building MadRaft from $src in $scratch" >&2
rm -rf "$scratch/madraft" "$scratch/madsim"
mkdir -p "$scratch/madraft"
(cd "$src" && tar -c --exclude=./.git --exclude=./target .) | tar -x -C "$scratch/madraft"
cd "$scratch/madraft"
sed -i 's/^madsim = { version = "[^"]*"/madsim = { version = "=0.1.3"/' Cargo.toml
grep -q '^madsim = { version = "=0.1.3"' Cargo.toml || die "could not pin madsim 0.1.3 in $scratch/madraft/Cargo.toml" 3
cargo fetch -q || die "cargo fetch failed in $scratch/madraft" 3
registry_madsim=$(cargo metadata --format-version 1 2>/dev/null | grep -o '"manifest_path":"[^"]*/madsim-0\.1\.3/Cargo.toml"' | head -1 | sed 's/.*"manifest_path":"//; s#/Cargo.toml"##')
[ -n "$registry_madsim" ] && [ -d "$registry_madsim" ] || die "madsim 0.1.3 not found in the cargo registry" 3
cp -rp "$registry_madsim" "$scratch/madsim"
chmod -R u+w "$scratch/madsim"
rpc="$scratch/madsim/src/net/rpc.rs"
# The tag of a request type: a hash of its TypeId, not its bytes reinterpreted.
sed -i 's/let req_tag: u64 = unsafe { transmute(TypeId::of::<Req>()) };/let req_tag: u64 = { use std::hash::{Hash, Hasher}; let mut h = std::collections::hash_map::DefaultHasher::new(); TypeId::of::<Req>().hash(\&mut h); h.finish() };/' "$rpc"
sed -i 's/^\(\s*\)mem::transmute,/\1/' "$rpc"
! grep -q 'transmute(TypeId' "$rpc" || die "the TypeId patch did not apply to $rpc" 3
printf '\n[patch.crates-io]\nmadsim = { path = "../madsim" }\n' >> Cargo.toml
raft_rs=src/raft/raft.rs
[ "$(grep -c 'select! {' "$raft_rs")" = 1 ] || die "expected exactly one select! in $raft_rs" 3
sed -i 's/\bselect! {/select_biased! {/; s/join, select, stream/join, select_biased, stream/' "$raft_rs"
grep -q 'select_biased, stream' "$raft_rs" || die "the select_biased patch did not apply to $raft_rs" 3
bin=$(cargo test --release --lib --no-run --message-format=json 2>"$scratch/build.log" \
  | grep -o '"executable":"[^"]*"' | tail -1 | sed 's/"executable":"//; s/"$//') || true
[ -n "$bin" ] && [ -x "$bin" ] || { tail -20 "$scratch/build.log" >&2; die "MadRaft build failed (log: $scratch/build.log)" 3; }
echo "$bin" > "$scratch/built-$stamp"
fi
cd "$repo"
if [ ! -x "$raftsim" ]; then
  echo "== building raftsim" >&2
  cargo build -q --release -p raftsim
fi

# --- the interleaved pairs ---------------------------------------------------
failed=0
# cpu CMD...: the CPU seconds (user + sys, µs resolution from wait4) of one
# process, or FAIL if it exits non-zero. /usr/bin/time rounds to 10 ms.
cpu() {
  python3 -c '
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print("FAIL" if status else "%.6f" % (ru.ru_utime + ru.ru_stime))' "$@"
}
# seeds_for SECONDS_OF_ONE_SEED: seeds that make one process about $target s.
seeds_for() { awk -v c="$1" -v t="$target" -v lo="$seeds" -v hi="$max_seeds" 'BEGIN { n = (c > 0) ? int(t / c) : hi; if (n < lo) n = lo; if (n > hi) n = hi; print n }'; }
minimum() { sort -n | head -1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0) ? a / b : 0 }'; }
madraft() { MADSIM_TEST_SEED=1 MADSIM_TEST_NUM=$2 cpu "$bin" "$1" --exact --test-threads 1; }
ours() { cpu "$raftsim" sweep "$1" --seeds "$2" --start 1 --jobs 1 --regressions /dev/null; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== CPU ms per seed (user + sys), median of $pairs interleaved pairs; each process runs seeds 1..N of one test,"
echo "   N chosen so a process takes about ${target}s of CPU; ratio = MadRaft / raftsim; min: from each side's fastest of $pairs"
printf '%-28s %8s %11s %8s %11s %8s %9s %9s %8s\n' test "N Mad" "MadRaft ms" "N ours" "raftsim ms" ratio "min Mad" "min ours" "min"
sum_m=0 sum_r=0 low_m=0 low_r=0
for entry in "${tests[@]}"; do
  name=${entry%%:*} path=${entry#*:}
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  # Calibration (not counted): $seeds seeds on each side.
  cm=$(madraft "$path" "$seeds") cr=$(ours "$name" "$seeds")
  if [ "$cm" = FAIL ] || [ "$cr" = FAIL ]; then
    failed=1
    printf '%-28s %8s %11s %8s %11s %8s\n' "$name" - "$( [ "$cm" = FAIL ] && echo FAIL || echo ok)" - "$( [ "$cr" = FAIL ] && echo FAIL || echo ok)" -
    continue
  fi
  nm=$(seeds_for "$(awk -v c="$cm" -v n="$seeds" 'BEGIN { print c / n }')")
  nr=$(seeds_for "$(awk -v c="$cr" -v n="$seeds" 'BEGIN { print c / n }')")
  # A few seeds' CPU is mostly the process's start-up, which would make N
  # far too small on the side whose seeds are cheap: calibrate again at the
  # first N, where the start-up is a small part, and take N from that.
  cm=$(madraft "$path" "$nm") cr=$(ours "$name" "$nr")
  if [ "$cm" != FAIL ] && [ "$cr" != FAIL ]; then
    nm=$(seeds_for "$(awk -v c="$cm" -v n="$nm" 'BEGIN { print c / n }')")
    nr=$(seeds_for "$(awk -v c="$cr" -v n="$nr" 'BEGIN { print c / n }')")
  fi
  m=() r=()
  for _ in $(seq "$pairs"); do
    m+=("$(madraft "$path" "$nm")")
    r+=("$(ours "$name" "$nr")")
  done
  if [[ " ${m[*]} ${r[*]} " == *" FAIL "* ]]; then
    failed=1
    printf '%-28s %8s %11s %8s %11s %8s\n' "$name" "$nm" "$( [[ " ${m[*]} " == *" FAIL "* ]] && echo FAIL || echo ok)" "$nr" "$( [[ " ${r[*]} " == *" FAIL "* ]] && echo FAIL || echo ok)" -
    continue
  fi
  mm=$(printf '%s\n' "${m[@]}" | median | awk -v n="$nm" '{ print $1 * 1000 / n }')
  mr=$(printf '%s\n' "${r[@]}" | median | awk -v n="$nr" '{ print $1 * 1000 / n }')
  lm=$(printf '%s\n' "${m[@]}" | minimum | awk -v n="$nm" '{ print $1 * 1000 / n }')
  lr=$(printf '%s\n' "${r[@]}" | minimum | awk -v n="$nr" '{ print $1 * 1000 / n }')
  sum_m=$(awk -v a="$sum_m" -v b="$mm" 'BEGIN { print a + b }')
  sum_r=$(awk -v a="$sum_r" -v b="$mr" 'BEGIN { print a + b }')
  low_m=$(awk -v a="$low_m" -v b="$lm" 'BEGIN { print a + b }')
  low_r=$(awk -v a="$low_r" -v b="$lr" 'BEGIN { print a + b }')
  printf '%-28s %8d %11.3f %8d %11.3f %7.1fx %9.3f %9.3f %7.1fx\n' "$name" "$nm" "$mm" "$nr" "$mr" "$(ratio "$mm" "$mr")" "$lm" "$lr" "$(ratio "$lm" "$lr")"
done
printf '%-28s %8s %11.3f %8s %11.3f %7.1fx %9.3f %9.3f %7.1fx\n' "suite total (per seed of each)" "" "$sum_m" "" "$sum_r" "$(ratio "$sum_m" "$sum_r")" "$low_m" "$low_r" "$(ratio "$low_m" "$low_r")"
exit $((failed * 4))
