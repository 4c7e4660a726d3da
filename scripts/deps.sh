#!/usr/bin/env bash
# Installs the Debian packages failpoint needs to build, test and benchmark.
# Idempotent: when every package is already present, apt-get is not run at all.
# Usage: scripts/deps.sh [--bench]
set -euo pipefail

# The rewriter links Clang's lexer (clangLex, clangBasic from libclang-14-dev) and the shared LLVM
# library; libclang-cpp14-dev is not linked, but Clang's CMake package refuses to load without it.
packages=(
  cmake make g++ clang-14 clang-format git
  libclang-14-dev libclang-cpp14-dev llvm-14-dev libclang-rt-14-dev
  libboost-dev libfmt-dev catch2 libgtest-dev nlohmann-json3-dev libcli11-dev liburiparser-dev
  curl valgrind
  meson pkgconf dpkg-dev postgresql libpq-dev
  python3 python3-yaml
  chromium gcovr lcov
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libbenchmark-dev libfiu-dev socat)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ "$(id -u)" -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests (test/browser: the endpoint's page, failpoint-explore's HTML report) drive
# chromium with puppeteer-core from npm, at the version pinned by test/browser/package-lock.json;
# it downloads no browser.
browser_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/test/browser"
if [[ ! -d "$browser_dir/node_modules/puppeteer-core" ]]; then
  command -v npm >/dev/null || { echo "deps: npm is missing (Node 20 and npm)" >&2; exit 1; }
  echo "deps: npm ci in test/browser" >&2
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
