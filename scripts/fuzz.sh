#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# each for a bounded time.
# Usage: scripts/fuzz.sh [seconds] [target...]
#   seconds   per target (default 60); targets: terms spec http rewriter (default: all built)
#   BUILD_DIR build directory (default build/fuzz); JOBS parallel compile jobs (default 2)
#   FUZZ_REWRITER=0 skips the rewriter target (it needs Clang LibTooling)
# The committed seeds (test/fuzz/corpus/<target>) are read, never written: new inputs go to
# $BUILD_DIR/corpus/<target>, crashes and timeouts to $BUILD_DIR/artifacts/<target>/. The script
# prints executions, speed and coverage per target, appends them to $BUILD_DIR/fuzz-stats.txt,
# and exits 1 when any target found a crash, a leak, a timeout or a broken property.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
build_dir="${BUILD_DIR:-build/fuzz}"
jobs="${JOBS:-2}"
rewriter="${FUZZ_REWRITER:-1}"

scripts/deps.sh

rewriter_flag=ON
if [[ "$rewriter" == "0" ]]; then rewriter_flag=OFF; fi
echo "== fuzz: configure ($build_dir)"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFAILPOINT_BUILD_FUZZERS=ON -DFAILPOINT_BUILD_TESTS=ON \
  -DFAILPOINT_SANITIZE=address,undefined,fuzzer-no-link \
  -DFAILPOINT_BUILD_REWRITER="$rewriter_flag" -DFAILPOINT_BUILD_EXAMPLES=OFF >/dev/null

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(terms spec http)
  if [[ "$rewriter" != "0" ]]; then targets+=(rewriter); fi
fi
echo "== fuzz: build ${targets[*]}"
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]/#/fuzz_}"

# Symbolized stack traces in crash reports (the unversioned llvm-symbolizer is not on PATH).
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

failed=()
for t in "${targets[@]}"; do
  exe="$build_dir/test/fuzz/fuzz_$t"
  corpus="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts/$t"
  log="$build_dir/fuzz_$t.log"
  mkdir -p "$corpus" "$artifacts"
  extra=()
  if [[ "$t" == "http" ]]; then extra+=(-max_len=20000); fi  # room for over-limit headers
  echo "== fuzz: $t for ${seconds}s"
  status=0
  stamp="$build_dir/fuzz_$t.started"
  touch "$stamp"
  # -timeout: an input taking longer than 10 s is a hang; the run's own bound is -max_total_time.
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${extra[@]}" "$corpus" "test/fuzz/corpus/$t" \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  line="$(date -u +%FT%TZ) $t seconds=$seconds executions=${execs:-?} exec_per_sec=${speed:-?} cov=${cov:-?} status=$status"
  echo "$line" | tee -a "$build_dir/fuzz-stats.txt"
  if [[ $status -ne 0 ]]; then
    failed+=("$t")
    echo "fuzz: $t failed (status $status); last lines of $log:" >&2
    grep -a -E 'property violated|ERROR|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
    # The artifacts stay on the machine that ran the fuzzer; their bytes in the log let a run
    # elsewhere (CI) be replayed: base64 -d > input && $exe input
    for input in $(find "$artifacts" -type f -newer "$stamp"); do
      echo "fuzz: $t input $(basename "$input") ($(stat -c %s "$input") bytes), base64:" >&2
      base64 -w 0 "$input" | head -c 8192 >&2
      echo >&2
    done
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build_dir/artifacts/)" >&2
  exit 1
fi
echo "fuzz: all targets passed"
