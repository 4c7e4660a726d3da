#!/usr/bin/env bash
# The demo: builds failpoint and shows failpoints being switched in a running program.
# Installs missing Debian packages first (apt-get, only when something is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

build_dir="${BUILD_DIR:-build/demo}"
jobs="$(nproc 2>/dev/null || echo 2)"
step=0
say() { step=$((step + 1)); printf '\n\033[1m== %d. %s\033[0m\n' "$step" "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
fail() { printf '\ndemo FAILED: %s\n' "$*" >&2; exit 1; }

say "Build (cmake, $build_dir)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAILPOINT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j "$jobs" --target failpoint_quickstart >/dev/null
app="$build_dir/examples/quickstart/failpoint_quickstart"

say "No failpoint enabled: every save works"
run "$app" || fail "the quickstart should store 3 of 3 without failpoints"

say "FAILPOINTS='quickstart.SaveFails=1*return(true)': the first save fails, once"
out=$(FAILPOINTS='quickstart.SaveFails=1*return(true)' "$app" || true)
echo "$out"
grep -q "save a: FAILED" <<<"$out" || fail "save a should have failed"
grep -q "stored 2 of 3" <<<"$out" || fail "exactly one save should have failed"

say "FAILPOINTS='quickstart.Crash=1*off->panic(\"after saving b\")': a crash after the second save"
set +e
out=$(FAILPOINTS='quickstart.Crash=1*off->panic("after saving b")' "$app" 2>&1)
status=$?
set -e
echo "$out"
[[ $status -ne 0 ]] || fail "the program should have crashed"
grep -q 'failpoint panic: quickstart.Crash: after saving b' <<<"$out" || fail "panic message missing"

say "A typo in FAILPOINTS is an error, not a silently passing test"
set +e
out=$(FAILPOINTS='quickstart.SaveFails=retrun(true)' "$app" 2>&1)
status=$?
set -e
echo "$out"
[[ $status -eq 1 ]] || fail "a malformed FAILPOINTS should exit with status 1"

printf '\ndemo OK\n'
