#!/usr/bin/env bash
# Schedules per second of a sharded failpoint-explore with 1, 2 and 4 local shards, and the
# merge's cost (docs/benchmarks.md, "Shards and merge"). Each shard is a local process with -j1;
# a round's shards run at once, then the merge; the wall time of the whole exploration (every
# round and merge) gives schedules per second. The unsharded -j1 run is the reference.
# Usage: scripts/bench-explore-shards.sh [DEPTH]      (default 2)
#   BUILD_DIR   a build with failpoint-explore and the bench targets (default build/bench, as
#               scripts/bench.sh configures it; this script builds the two targets it needs)
#   EXPLORE, TARGET  override the tool and the explored program (bench/explore_target.cpp)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
depth="${1:-2}"
build_dir="${BUILD_DIR:-build/bench}"
if [[ -z "${EXPLORE:-}" || -z "${TARGET:-}" ]]; then
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DFAILPOINT_BUILD_BENCH=ON >/dev/null
  fi
  cmake --build "$build_dir" -j2 --target failpoint-explore failpoint_bench_explore_target >/dev/null
fi
explore="$(realpath "${EXPLORE:-$build_dir/explorer/failpoint-explore}")"
target="$(realpath "${TARGET:-$build_dir/bench/failpoint_bench_explore_target}")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
runs_of() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$1"; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; depth $depth"
t0=$(now)
"$explore" -j1 --depth "$depth" --reproduce 0 --progress lines --out "$scratch/out" \
  --report "$scratch/one.json" -- "$target" test >"$scratch/one.txt"
t1=$(now)
n=$(runs_of "$scratch/one.json")
printf '%-10s %8s %10s %12s %14s %16s\n' shards schedules "wall (s)" "schedules/s" "merges (s)" "shard files"
printf '%-10s %8d %10.2f %12.1f %14s %16s\n' "none (-j1)" "$n" "$(calc "$t1 - $t0")" \
  "$(calc "$n / ($t1 - $t0)")" - -

for shards in 1 2 4; do
  state="$scratch/state-$shards"
  merge_total=0
  t0=$(now)
  for round in $(seq 1 "$depth"); do
    pids=()
    for i in $(seq 0 $((shards - 1))); do
      "$explore" -j1 --depth "$depth" --reproduce 0 --progress lines --state "$state" \
        --shard "$i/$shards" -- "$target" test >"$scratch/shard-$shards-$i.txt" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    m0=$(now)
    "$explore" merge --state "$state" --out "$scratch/out-$shards" >"$scratch/merge-$shards-$round.txt"
    m1=$(now)
    merge_total=$(calc "$merge_total + $m1 - $m0")
    [[ -e "$state/finished" ]] && break
  done
  t1=$(now)
  n=$(runs_of "$state/report.json")
  size=$(du -cb "$state"/round-*/shard-*.json | tail -1 | cut -f1)
  printf '%-10s %8d %10.2f %12.1f %14.3f %13d KB\n' "$shards" "$n" "$(calc "$t1 - $t0")" \
    "$(calc "$n / ($t1 - $t0)")" "$merge_total" $((size / 1024))
  python3 - "$scratch/one.json" "$state/report.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
key = lambda r: [(x["failpoints"], x["outcome"]) for x in r["runs"]]
assert key(a) == key(b), "the sharded report differs from the unsharded one"
PY
done

# The merge alone, repeated on the 4-shard state (the final merge: every round's files read and
# checked, the report written; --reproduce 0, so no process runs).
state="$scratch/state-4"
files=$(ls "$state"/round-*/shard-*.json | wc -l)
size=$(du -cb "$state"/round-*/shard-*.json | tail -1 | cut -f1)
TIMEFORMAT='%R %U %S'
for _ in 1 2 3 4 5; do
  { time "$explore" merge --state "$state" --out "$scratch/out-again" >/dev/null; } 2>>"$scratch/merge-times"
done
read -r wall cpu < <(awk '{ w += $1; c += $2 + $3 } END { printf "%.3f %.3f\n", w / NR, c / NR }' \
  "$scratch/merge-times")
printf 'final merge of %d shard files (%d KB, %d runs), mean of 5: %s s wall, %s s CPU\n' "$files" \
  $((size / 1024)) "$(runs_of "$state/report.json")" "$wall" "$cpu"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
