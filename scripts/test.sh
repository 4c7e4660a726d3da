#!/usr/bin/env bash
# Builds failpoint and runs every test through ctest.
# Installs missing Debian packages first (apt-get, only when something is missing).
# Usage: scripts/test.sh            (build dir: build/test; BUILD_DIR=... to change)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

build_dir="${BUILD_DIR:-build/test}"
jobs="$(nproc 2>/dev/null || echo 2)"
werror=OFF
if [[ -n "${CI:-}" ]]; then werror=ON; fi

echo "== configure ($build_dir)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAILPOINT_WERROR="$werror" >/dev/null
echo "== build"
cmake --build "$build_dir" -j "$jobs"
echo "== test"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 300
