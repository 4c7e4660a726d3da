#!/usr/bin/env bash
# End-to-end test of failpoints in C: builds test/c/project (a copy) against an install of this
# build tree, with failpoint_enable() and without, runs it and checks each outcome: FAILPOINTS
# switching C failpoints with a bool, an integer and a string value, a label and goto, panic, a
# mismatched value and a `throw` term (reported, the body does not run), the C control API
# (failpoint/control.h: codes and messages), a target mixing C and C++ in one registry, and a
# plain build with no failpoint symbol and no libfailpoint.
#
# Usage: c_test.sh <failpoint-build-dir> <failpoint-source-dir>
set -euo pipefail

build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-c-XXXXXX")
trap 'rm -rf "$work"' EXIT

# fail, check_eq
source "$(dirname "${BASH_SOURCE[0]}")/../support/check.sh"
# Configures and builds a copy of the project in $work/$1 with the remaining cmake arguments.
build_project() {
  local name=$1
  shift
  cp -r "$source/test/c/project" "$work/$name"
  cmake -S "$work/$name" -B "$work/$name-build" "$@" >"$work/$name.log" 2>&1 &&
    cmake --build "$work/$name-build" -j2 >>"$work/$name.log" 2>&1 || {
    cat "$work/$name.log"
    fail "build of $name"
  }
}

cmake --install "$build" --prefix "$work/prefix" >/dev/null
build_project on "-DCMAKE_PREFIX_PATH=$work/prefix"
app=$work/on-build/c_app

check_eq "no FAILPOINTS: save" "saved" "$("$app" save)"
check_eq "no FAILPOINTS: limit" "limit 100" "$("$app" limit)"
check_eq "bool: return(true) runs the body" "save failed" \
  "$(FAILPOINTS='c.SaveFails=return(true)' "$app" save)"
check_eq "bool: return(false) reaches the body as false" "saved" \
  "$(FAILPOINTS='c.SaveFails=return(false)' "$app" save)"
check_eq "integer: return(7) reaches the body" "limit 7" \
  "$(FAILPOINTS='c.WriteLimit=return(7)' "$app" limit)"
check_eq "integer: a negative value" "limit -5" \
  "$(FAILPOINTS='c.WriteLimit=return(-5)' "$app" limit)"
check_eq "string: return(\"disk full\") reaches the body" "reason disk full" \
  "$(FAILPOINTS='c.Reason=return("disk full")' "$app" reason)"
check_eq "label and goto: retried until the value" "attempts 3" \
  "$(FAILPOINTS='c.Retry=return(3)' "$app" retry)"
check_eq "a C failpoint in a shared library" "answer 7" \
  "$(FAILPOINTS='c.plugin.Answer=return(7)' "$app" plugin)"

status=0
(FAILPOINTS='c.Crash=panic' exec "$app" crash >"$work/panic.out" 2>"$work/panic.err") || status=$?
check_eq "panic at a C site aborts the child (128+SIGABRT)" 134 "$status"
grep -q "failpoint panic: c.Crash" "$work/panic.err" || fail "panic: message missing"
[[ ! -s $work/panic.out ]] || fail "panic: code after the failpoint ran"

status=0
FAILPOINTS='c.WriteLimit=return("x")' "$app" limit >/dev/null 2>"$work/mismatch.err" || status=$?
check_eq "a string for an integer is refused at start (status 1)" 1 "$status"
grep -q 'value "x" does not fit failpoint "c.WriteLimit" of type long' "$work/mismatch.err" ||
  { cat "$work/mismatch.err"; fail "mismatch not named"; }
echo "ok: the mismatch names the C failpoint, its type and the value"
status=0
FAILPOINTS='c.Retry=return(4294967296)' "$app" retry >/dev/null 2>&1 || status=$?
check_eq "an integer out of range of the C type is refused at start (status 1)" 1 "$status"
check_eq "throw at a C site: reported, the program goes on" "after crash point" \
  "$(FAILPOINTS='c.Crash=throw' "$app" crash 2>"$work/throw.err")"
grep -q "a throw term cannot unwind through C code" "$work/throw.err" ||
  { cat "$work/throw.err"; fail "throw not reported"; }

status=0
FAILPOINTS='c.SaveFail=return' "$app" save >/dev/null 2>"$work/typo.err" || status=$?
check_eq "FAILPOINTS naming no site exits with status 1" 1 "$status"
grep -q 'did you mean "c.SaveFails"' "$work/typo.err" || { cat "$work/typo.err"; fail "no suggestion"; }
check_eq "FAILPOINTS naming with ? a site of a library loaded later: the program runs" "saved" \
  "$(FAILPOINTS='?c.Nope=return' "$app" save)"
status=0
FAILPOINTS='c.SaveFails=retrun' "$app" save 2>"$work/bad.err" || status=$?
check_eq "FAILPOINTS with a malformed term exits with status 1" 1 "$status"

expected_control='enable: 0 
limit 7 7 100
status: 0 
state c.WriteLimit terms=2*return(7) type=long active=0 count=2 sites=1
bad terms: 1 in "3*retrun(1)" at byte 2: unknown action "retrun"; expected one of off, return, sleep, panic, break, print, pause, yield, delay, throw, callback
unknown: 2 no failpoint named "c.WriteLimt" is registered; did you mean "c.WriteLimit"?
unknown status: 2 no failpoint named "c.Nope" is registered
apply: 0 
save -1 reason full
disable: 0 
disable all: 0 
save 0 reason ok
wait: 4 failpoint "c.Retry" did not reach 1 runs within 10 ms
library site: 0 
state c.plugin.Answer type=int sites=1'
check_eq "the C control API: enable, status, errors, apply, disable, wait_for; a library's site listed before it is hit" \
  "$expected_control" "$("$app" control)"

mixed=$work/on-build/c_mixed
check_eq "C and C++ sites in one target, one registry" "cxx 5 limit 9
c.Crash - -
c.CxxSide int return(5)
c.Reason const char* -
c.Retry int -
c.SaveFails bool -
c.WriteLimit long return(9)" "$(FAILPOINTS='c.CxxSide=return(5);c.WriteLimit=return(9)' "$mixed")"

diff -r "$source/test/c/project" "$work/on" >/dev/null || fail "the project's sources were modified"
echo "ok: the sources are untouched"

# The same C without failpoint_enable(): comments, no runtime.
build_project off -DC_ENABLE=OFF
plain=$work/off-build/c_app
if nm "$plain" | grep -i failpoint; then fail "a plain C build has failpoint symbols"; fi
if readelf -d "$plain" | grep libfailpoint >/dev/null; then fail "a plain C build links libfailpoint"; fi
echo "ok: the plain build has no failpoint symbol and no libfailpoint"
check_eq "plain build: FAILPOINTS has no effect" "limit 100" \
  "$(FAILPOINTS='c.WriteLimit=return(7)' "$plain" limit)"
