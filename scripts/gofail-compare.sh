#!/usr/bin/env bash
# Runs the same cases against gofail and failpoint side by side and prints a Markdown table:
# case, what gofail did, what failpoint did, same or different (docs/gofail.md records a run).
# Usage: GOFAIL_SRC=/path/to/etcd-io/gofail scripts/gofail-compare.sh [-only TEXT]
#   GOFAIL_SRC     a checkout of etcd-io/gofail (required; not part of this repository)
#   GOFAIL_COMMIT  the commit of that checkout, for the header (default: git rev-parse, if a clone)
#   BUILD_DIR      where everything is built (default build/gofail-compare); JOBS (default 2)
#   BENCH=1        also time gofail's site (go/fps/bench_test.go; docs/benchmarks.md quotes it)
#   UPDATE_DOC=1   also replace the run recorded at the end of docs/gofail.md with this one
# Needs Go (Debian's golang-go is enough: gofail's go.mod is lowered to the installed version in a
# copy) and builds offline. Not part of scripts/test.sh: CI has no gofail checkout.
#
# The targets: scripts/gofail-compare/go is built with `gofail enable` against GOFAIL_SRC's
# runtime, scripts/gofail-compare/cpp with failpoint's CMake (failpoint_enable); both declare the
# same failpoints and answer the same commands. scripts/gofail-compare/driver runs the cases.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
here="$root/scripts/gofail-compare"

: "${GOFAIL_SRC:?set GOFAIL_SRC to a checkout of etcd-io/gofail}"
GOFAIL_SRC="$(cd "$GOFAIL_SRC" && pwd)"
build_dir="${BUILD_DIR:-build/gofail-compare}"
mkdir -p "$build_dir"
work="$(cd "$build_dir" && pwd)"
jobs="${JOBS:-2}"
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
command -v go >/dev/null || { echo "gofail-compare: go is not installed (apt-get install golang-go)" >&2; exit 1; }
go_line="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"

step() { printf '== %s\n' "$*" >&2; }

step "gofail from $GOFAIL_SRC (go line lowered to $go_line in a copy)"
rm -rf "$work/gofail-src" "$work/go" "$work/bin"
mkdir -p "$work/gofail-src" "$work/bin"
(cd "$GOFAIL_SRC" && tar --exclude=.git -cf - .) | (cd "$work/gofail-src" && tar -xf -)
sed -i -E "s/^go [0-9.]+\$/go $go_line/; /^toolchain /d" "$work/gofail-src/go.mod"
(cd "$work/gofail-src" && go build -o "$work/bin/gofail" .)

step "the Go target, after gofail enable"
cp -r "$here/go" "$work/go"
cat > "$work/go/go.mod" <<GOMOD
module gofailcompare

go $go_line

require go.etcd.io/gofail v0.0.0

replace go.etcd.io/gofail => $work/gofail-src
GOMOD
(cd "$work/go" && "$work/bin/gofail" enable fps >&2 && go build -o "$work/bin/gofail-target" .)

step "the C++ target, with failpoint_enable"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$here/cpp" -B "$work/cpp" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build "$work/cpp" -j "$jobs" --target compare_target >/dev/null

step "the driver"
(cd "$here/driver" && go build -o "$work/bin/driver" .)

gofail_commit="${GOFAIL_COMMIT:-$(git -C "$GOFAIL_SRC" rev-parse HEAD 2>/dev/null || echo unknown)}"
failpoint_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo '+changes')"
header="gofail $gofail_commit (built with $(go env GOVERSION)); failpoint $failpoint_commit; $(date -u +%Y-%m-%d)"
echo "$header"
echo
"$work/bin/driver" -gofail "$work/bin/gofail-target" -failpoint "$work/cpp/compare_target" "$@" |
  tee "$work/table.md"

# docs/gofail.md keeps everything up to its "## The cases" heading, then this run: the header,
# the counts (the lines from "N cases: ..." on), then the table of cases.
if [ "${UPDATE_DOC:-0}" = 1 ]; then
  doc="$root/docs/gofail.md"
  {
    sed '/^## The cases$/q' "$doc"
    printf '\nOne run of `scripts/gofail-compare.sh`: %s.\n\n' "$header"
    sed -n '/^[0-9]* cases: /,$p' "$work/table.md"
    echo
    sed '/^$/,$d' "$work/table.md"
  } > "$doc.new"
  mv "$doc.new" "$doc"
  step "updated docs/gofail.md"
fi
if [ "${BENCH:-0}" = 1 ]; then
  echo
  (cd "$work/go" && go test -run '^$' -bench . -count 3 ./fps)
fi
