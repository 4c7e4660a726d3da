#!/usr/bin/env bash
# Builds failpoint and runs every test through ctest, then the same tests under sanitizers and a
# short run of every fuzzer. Installs missing Debian packages first (apt-get, only when something
# is missing).
# Usage: scripts/test.sh
#   BUILD_DIR     build dir of the default stage (default build/test)
#   STAGES        stages to run, in order (default "default asan tsan fuzz"):
#                   default  normal build (with the rewriter) and every test
#                   asan     AddressSanitizer + UndefinedBehaviorSanitizer build of the runtime,
#                            the HTTP endpoint and their tests (no rewriter, no examples); every test
#                   tsan     ThreadSanitizer build of the same; every test (concurrency, stress,
#                            HTTP, fork...)
#                   fuzz     every libFuzzer target for FUZZ_SECONDS (scripts/fuzz.sh)
#   FUZZ_SECONDS  per fuzzer in the fuzz stage (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

build_dir="${BUILD_DIR:-build/test}"
jobs="$(nproc 2>/dev/null || echo 2)"
stages="${STAGES:-default asan tsan fuzz}"
fuzz_seconds="${FUZZ_SECONDS:-20}"
werror=OFF
if [[ -n "${CI:-}" ]]; then werror=ON; fi

timings=()
stage_start=0
begin_stage() {
  stage_start=$(date +%s)
}
end_stage() {
  timings+=("$1 $(($(date +%s) - stage_start))s")
}

# A sanitized build: runtime, endpoint, tests; the rewriter is built once, in the default stage.
# (-DFAILPOINT_WERROR is left off: GCC warns that Asio's fences are unsupported under TSan.)
sanitized_stage() {
  local name=$1 sanitizers=$2 dir="build/$1"
  echo "== $name: configure ($dir, -fsanitize=$sanitizers)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAILPOINT_SANITIZE="$sanitizers" \
    -DFAILPOINT_BUILD_REWRITER=OFF -DFAILPOINT_BUILD_EXAMPLES=OFF -DFAILPOINT_BUILD_BENCH=OFF \
    -DFAILPOINT_BUILD_HTTP=ON -DFAILPOINT_BUILD_TESTS=ON >/dev/null
  echo "== $name: build"
  cmake --build "$dir" -j "$jobs"
  echo "== $name: test"
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    TSAN_OPTIONS="${TSAN_OPTIONS:-second_deadlock_stack=1}" \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 300
}

for stage in $stages; do
  begin_stage
  case "$stage" in
    default)
      echo "== configure ($build_dir)"
      cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAILPOINT_WERROR="$werror" \
        -DFAILPOINT_BUILD_TESTS=ON -DFAILPOINT_BUILD_EXAMPLES=ON >/dev/null
      echo "== build"
      cmake --build "$build_dir" -j "$jobs"
      echo "== test"
      ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 300
      ;;
    asan) sanitized_stage asan address,undefined ;;
    tsan) sanitized_stage tsan thread ;;
    fuzz)
      # The rewriter target needs the rewriter's library: built again here with clang.
      BUILD_DIR=build/fuzz JOBS="$jobs" scripts/fuzz.sh "$fuzz_seconds"
      ;;
    *)
      echo "test.sh: unknown stage \"$stage\" (expected default, asan, tsan, fuzz)" >&2
      exit 2
      ;;
  esac
  end_stage "$stage"
done
echo "== stage times: ${timings[*]}"
