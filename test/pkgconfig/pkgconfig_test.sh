#!/usr/bin/env bash
# End-to-end test of the builds without CMake: installs this build tree into a temporary prefix,
# then builds test/pkgconfig/project (C++ and C, a header with a failpoint) with the README's Make
# recipe or Meson recipe, which run `failpoint-rewrite generate` and link through pkg-config
# (failpoint.pc, failpoint-http.pc), and runs it with FAILPOINTS and over the HTTP endpoint; the
# same recipe without failpoints builds a program with no failpoint symbol.
#
# Usage: pkgconfig_test.sh <failpoint-build-dir> <failpoint-source-dir> make|meson|pc
set -euo pipefail

build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
tool=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-pc-XXXXXX")
app_pid=
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# fail, check_eq
source "$(dirname "${BASH_SOURCE[0]}")/../support/check.sh"

for program in pkg-config make meson ninja; do
  command -v "$program" >/dev/null || fail "$program is not installed (scripts/deps.sh installs it)"
done
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(find "$work/prefix" -name failpoint.pc -printf '%h\n' | head -1)
[[ -n $libdir ]] || fail "no failpoint.pc installed"
export PKG_CONFIG_PATH=$libdir
# The .pc files are relocatable: move the whole prefix and use it from there.
mv "$work/prefix" "$work/moved"
export PKG_CONFIG_PATH=${libdir/$work\/prefix/$work\/moved}

# Builds a copy of the project in $work/$1: with failpoints when $2 is 1.
build_project() {
  local dir=$work/$1 with=$2
  cp -r "$source/test/pkgconfig/project" "$dir"
  if [[ $tool == make ]]; then
    make -C "$dir" -j2 WITH_FAILPOINTS="$with" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "make"; }
    echo "$dir/app"
  else
    local opt=false
    [[ $with == 1 ]] && opt=true
    { meson setup "$dir/build" "$dir" -Dfailpoints=$opt && ninja -C "$dir/build"; } \
      >"$dir.log" 2>&1 || { cat "$dir.log"; fail "meson"; }
    echo "$dir/build/app"
  fi
}

case $tool in
pc)
  check_eq "pkg-config finds failpoint in the moved prefix" "$(cat "$source/CMakeLists.txt" |
    sed -n 's/^project(failpoint VERSION \([0-9.]*\) .*/\1/p')" "$(pkg-config --modversion failpoint)"
  rewrite=$(pkg-config --variable=rewrite failpoint)
  [[ -x $rewrite ]] || fail "the rewrite variable ($rewrite) is not an executable"
  echo "ok: the rewrite variable names failpoint-rewrite"
  cflags=$(pkg-config --cflags failpoint)
  cflags=${cflags% }
  [[ -f ${cflags#-I}/failpoint/failpoint.h ]] || fail "--cflags ($cflags) misses the headers"
  echo "ok: --cflags points at the C and C++ headers"
  libs=$(pkg-config --libs failpoint-http)
  grep -q -- "-lfailpoint_http" <<<"$libs" && grep -q -- "-lfailpoint" <<<"$libs" ||
    fail "failpoint-http does not bring the runtime: $libs"
  echo "ok: failpoint-http requires failpoint ($libs)"
  exit 0
  ;;
make | meson) ;;
*) fail "unknown tool $tool" ;;
esac

app=$(build_project on 1)
check_eq "no FAILPOINTS" "saved a, timeout 1000, limit 100" "$("$app")"
check_eq "a C++ string value" "save failed: disk full, timeout 1000, limit 100" \
  "$(FAILPOINTS='app.SaveFails=return("disk full")' "$app")"
check_eq "a header's failpoint" "saved a, timeout 5, limit 100" \
  "$(FAILPOINTS='app.TimeoutMs=return(5)' "$app")"
check_eq "a C file's failpoint" "saved a, timeout 1000, limit 7" \
  "$(FAILPOINTS='app.WriteLimit=return(7)' "$app")"

# The endpoint is linked and serves the program's failpoints: the program pauses at app.Gate.
FAILPOINTS='app.Gate=pause' FAILPOINTS_HTTP=127.0.0.1:0 FAILPOINTS_HTTP_ADDR_FILE="$work/addr" \
  "$app" gate >"$work/gate.out" 2>&1 &
app_pid=$!
for _ in $(seq 100); do
  [[ -s $work/addr ]] && break
  sleep 0.1
done
[[ -s $work/addr ]] || fail "the endpoint did not start"
addr=$(cat "$work/addr")
listing=$(curl -sS "http://$addr/")
grep -q "^app.Gate=pause$" <<<"$listing" || fail "GET / does not list app.Gate=pause: $listing"
grep -q "^app.WriteLimit=$" <<<"$listing" || fail "GET / does not list the C failpoint: $listing"
echo "ok: the endpoint lists the C++ and C failpoints"
curl -sS -X PUT -d off "http://$addr/app.Gate" >/dev/null
wait "$app_pid" || fail "the program failed after the gate"
app_pid=
grep -q "through the gate" "$work/gate.out" || fail "PUT off did not release the pause"
echo "ok: PUT off over HTTP released the paused program"

diff -r "$source/test/pkgconfig/project" "$work/on" -x build -x app -x '*.log' >/dev/null ||
  fail "the project's sources were modified"
echo "ok: the sources are untouched"

plain=$(build_project off 0)
check_eq "without failpoints: FAILPOINTS has no effect" "saved a, timeout 1000, limit 100" \
  "$(FAILPOINTS='app.WriteLimit=return(7)' "$plain")"
if nm -C "$plain" | grep -i failpoint; then fail "the plain build has failpoint symbols"; fi
echo "ok: the plain build has no failpoint symbol"
