#!/usr/bin/env bash
# Builds the benchmarks in Release, runs them all, prints one table (every figure with its ratio
# to the baseline measured in this same run) and writes it as JSON. Takes 2-4 minutes once built.
# Installs missing Debian packages first (scripts/deps.sh --bench).
#
# Usage: scripts/bench.sh [--markdown]
#   BUILD_DIR   build directory (default build/bench)
#   OUT         results JSON (default $BUILD_DIR/bench-results.json; the raw inputs sit beside it)
#   TREE        the tree the rewriter scans (default /usr/include)
#   JOBS        parallel compile jobs (default: the number of cores)
#   HOTPATH_ONLY=1   only the hot path (with libfiu) and the reconfiguration latency: 1-2 minutes
#   COUNT_COMPILE=1  also count the compiler's instructions under callgrind (deterministic
#               compile cost, what the per-site target is judged by; scripts/compile_cost.sh)
# Numbers taken while other work runs on the machine are noisy: the table prints the load
# average, and the hot-path figures are CPU time per operation, the best of 10 repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

markdown=()
if [[ "${1:-}" == "--markdown" ]]; then markdown=(--markdown); fi

scripts/deps.sh --bench

build_dir="${BUILD_DIR:-build/bench}"
mkdir -p "$build_dir"
build_dir="$(cd "$build_dir" && pwd)"
out="${OUT:-$build_dir/bench-results.json}"
tree="${TREE:-/usr/include}"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
raw="$build_dir/bench-raw"
mkdir -p "$raw"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/failpoint-bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

say() { echo "bench: $*" >&2; }
now_ns() { date +%s%N; }
# Seconds between two now_ns readings.
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }

start_ns="$(now_ns)"
say "configure and build ($build_dir, -j$jobs)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DFAILPOINT_BUILD_BENCH=ON \
  -DFAILPOINT_BUILD_TESTS=OFF -DFAILPOINT_BUILD_EXAMPLES=OFF >"$raw/configure.log"
targets=(failpoint_bench_hotpath failpoint_bench_report failpoint_bench_reconfigure)
if [[ "${HOTPATH_ONLY:-0}" != 1 ]]; then
  targets+=(failpoint_bench_control failpoint-rewrite failpoint-explore
    failpoint_bench_explore_target failpoint_bench_gate)
fi
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}" >"$raw/build.log" 2>&1 || {
  tail -30 "$raw/build.log" >&2
  exit 1
}

# --- Machine ---
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
cores="$(nproc)"
mhz="$(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
compiler="$(c++ --version | head -1)"

# --- Hot path ---
say "hot path and libfiu (Google Benchmark, 10 interleaved repetitions)"
"$build_dir/bench/failpoint_bench_hotpath" --benchmark_repetitions=10 --benchmark_min_time=0.03 \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$raw/hotpath.json" --benchmark_out_format=json >"$raw/hotpath.txt" 2>&1

# --- Reconfiguration while two threads hit the failpoint ---
say "reconfiguration latency (enable, counted enable, disable; two hitting threads)"
"$build_dir/bench/failpoint_bench_reconfigure" --rounds 3000 --json "$raw/reconfigure.json" \
  >"$raw/reconfigure.txt"

if [[ "${HOTPATH_ONLY:-0}" == 1 ]]; then
  echo "failpoint hot path, $(date -u +%Y-%m-%d\ %H:%M) UTC: $cpu, $cores cores, $(uname -r), $compiler"
  echo "load average before/after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
  echo "hot path: CPU ns per operation per thread, best of 10; ratios to the baseline of the same run"
  "$build_dir/bench/failpoint_bench_report" --hotpath "$raw/hotpath.json" \
    --reconfigure "$raw/reconfigure.json" --out "$out" "${markdown[@]}"
  echo "results: $out (raw: $raw); took $(seconds "$start_ns" "$(now_ns)") s"
  exit 0
fi

# --- Control plane ---
say "control plane (loopback, two hitter threads in bursts, then busy)"
"$build_dir/bench/failpoint_bench_control" --requests 20000 --json "$raw/control.json" \
  >"$raw/control.txt"
"$build_dir/bench/failpoint_bench_control" --requests 5000 --busy \
  --json "$raw/control-busy.json" >>"$raw/control.txt"
control_args=(--control "$raw/control.json" --control-busy "$raw/control-busy.json")

# --- Rewriter ---
rewriter_json="{\"skipped\": \"$tree is not a directory\"}"
rewrite="$build_dir/rewriter/failpoint-rewrite"
if [[ -d "$tree" ]]; then
  say "rewriter over $tree (list, generate, and cp -r of the same tree)"
  # The extensions failpoint-rewrite reads (rewriter.cpp, is_source_path).
  source_find=(find "$tree" -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.cxx'
    -o -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.hxx' -o -name '*.ipp'
    -o -name '*.inl' \))
  files="$("${source_find[@]}" | wc -l)"
  source_bytes="$("${source_find[@]}" -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
  tree_bytes="$(find "$tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
  # Copies go to memory (tmpfs) when it is there: the disk's write-back, shared with whatever
  # else runs, made cp -r and generate vary tenfold from run to run.
  copies="$scratch"
  if [[ -d /dev/shm && -w /dev/shm ]]; then
    copies="$(mktemp -d /dev/shm/failpoint-bench.XXXXXX)"
    trap 'rm -rf "$scratch" "$copies"' EXIT
  fi
  # Every tool reads from the page cache, not the disk.
  find "$tree" -type f -exec cat {} + >/dev/null 2>&1 || true
  # Runs a command, setting ${1}_s (wall seconds), ${1}_cpu (user + system seconds, children
  # included) and ${1}_status. Write-back of the previous step is flushed first.
  timed() {
    local name="$1" status=0 t wall user sys
    shift
    sync
    t="$({
      TIMEFORMAT='%3R %3U %3S'
      time "$@" >"$scratch/$name.out" 2>"$raw/$name.err"
    } 2>&1)" || status=$?
    read -r wall user sys <<<"$t"
    printf -v "${name}_s" '%s' "$wall"
    printf -v "${name}_cpu" '%s' "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
    printf -v "${name}_status" '%s' "$status"
  }
  timed cp cp -r "$tree" "$copies/cp"
  rm -rf "$copies/cp"
  timed list "$rewrite" list "$tree"
  timed generate "$rewrite" generate --output-dir "$copies/generated" --root "$tree" "$tree"
  rm -rf "$copies/generated"
  rewriter_json="{\"tree\": \"$tree\", \"destination\": \"$copies\", \"files\": $files, \"source_bytes\": $source_bytes,
    \"tree_bytes\": $tree_bytes, \"cp_s\": $cp_s, \"cp_cpu\": $cp_cpu, \"cp_status\": $cp_status,
    \"list_s\": $list_s, \"list_cpu\": $list_cpu,
    \"list_status\": $list_status, \"generate_s\": $generate_s, \"generate_cpu\": $generate_cpu,
    \"generate_status\": $generate_status}"
fi

# --- Explorer ---
# failpoint-explore on a trivial test (bench/explore_target.cpp): with -j1 its own cost per run
# is its wall time minus the runs' wall time; scheduling cost per candidate from a depth-2 run;
# the trace's cost per hit as the difference between a traced and an untraced failpoint armed
# with `off` (best of 10 processes of 60000 hits each: within one trace file's capacity).
say "explorer: a trivial test explored with -j1 (depth 1) and -j$jobs (depth 2); trace cost per hit"
target="$build_dir/bench/failpoint_bench_explore_target"
explore="$build_dir/explorer/failpoint-explore"
(cd "$scratch" && "$explore" -j1 --depth 1 --reproduce 0 --progress lines \
  --report "$raw/explore-j1.json" -- "$target" test >"$raw/explore-j1.txt")
(cd "$scratch" && "$explore" -j"$jobs" --depth 2 --reproduce 0 --progress lines \
  --report "$raw/explore-depth2.json" -- "$target" test >"$raw/explore-depth2.txt")
best_ns() {  # best of 10: ns per hit of bench.Step, with the environment given
  local best="" ns
  for _ in $(seq 1 10); do
    ns="$(env "$@" "$target" hits 60000)"
    if [[ -z "$best" ]] || awk -v a="$ns" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$ns"; fi
  done
  echo "$best"
}
# The trace goes where the explorer puts it: memory (/dev/shm) when there is.
trace_dir="$scratch/trace"
[[ -d /dev/shm && -w /dev/shm ]] && trace_dir="$(mktemp -d /dev/shm/failpoint-trace.XXXXXX)"
untraced="$(best_ns FAILPOINTS=bench.Step=off)"
traced="$(best_ns FAILPOINTS_TRACE="$trace_dir")"
rm -rf "$trace_dir"
explore_json="{\"j1\": $("$target" summary "$raw/explore-j1.json"),
  \"depth2\": $("$target" summary "$raw/explore-depth2.json"),
  \"off_hit_ns\": $untraced, \"traced_off_hit_ns\": $traced}"
echo "$explore_json" >"$raw/explore.json"

# --- Compile cost ---
# scripts/compile_cost.sh: CPU time of translation units with 0 to 200 failpoints, the object code
# per site, and with COUNT_COMPILE=1 the compiler's instruction counts under callgrind.
say "compile cost (scripts/compile_cost.sh: $([[ "${COUNT_COMPILE:-0}" == 1 ]] && echo "with" || echo "without") instruction counts)"
RAW="$raw" scripts/compile_cost.sh "$raw/compile.json" 2>>"$raw/compile.log"
compile_json="$(cat "$raw/compile.json")"

printf '{"rewriter": %s, "compile": %s}\n' "$rewriter_json" "$compile_json" >"$raw/extra.json"

end_ns="$(now_ns)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$raw/machine.json" <<JSON
{"cpu": "$cpu", "cores": $cores, "mhz": "$mhz", "kernel": "$(uname -r)",
 "compiler": "$(echo "$compiler" | sed 's/"/\\"/g')",
 "load_before": "$load_before", "load_after": "$load_after",
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "seconds": $(seconds "$start_ns" "$end_ns")}
JSON

echo "failpoint benchmarks, $(date -u +%Y-%m-%d\ %H:%M) UTC: $cpu, $cores cores, $(uname -r), $compiler"
echo "load average before/after: $load_before / $load_after (other work on the machine adds noise)"
echo "hot path: CPU ns per operation per thread, best of 10; ratios to the baseline of the same run"
"$build_dir/bench/failpoint_bench_report" --hotpath "$raw/hotpath.json" "${control_args[@]}" \
  --reconfigure "$raw/reconfigure.json" \
  --extra "$raw/extra.json" --machine "$raw/machine.json" --out "$out" "${markdown[@]}"
"$build_dir/bench/failpoint_bench_explore_target" describe "$raw/explore.json"

# --- The TCP gate: its own table (throughput, added latency, live changes; socat beside it) ---
echo
say "TCP gate against direct loopback$(command -v socat >/dev/null && echo ' and socat')"
gate_args=()
if command -v socat >/dev/null; then gate_args=(--socat "$(command -v socat)"); fi
echo "TCP gate (bench/gate.cpp), load average $(cut -d' ' -f1-3 /proc/loadavg):"
echo
"$build_dir/bench/failpoint_bench_gate" "${gate_args[@]}" | tee "$raw/gate.md"
echo "results: $out (raw: $raw); took $(seconds "$start_ns" "$(now_ns)") s"
