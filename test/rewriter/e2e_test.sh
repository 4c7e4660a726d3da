#!/usr/bin/env bash
# End-to-end test of failpoint_enable(): builds test/rewriter/e2e (a copy, in a temporary
# directory) against failpoint, runs it with FAILPOINTS set and checks each effect; checks that a
# compile error in a failpoint body is reported at the original file and line, that editing one
# source regenerates only its copy, that the source tree is never modified, and that the same
# project without failpoint_enable() has no failpoint symbol; and that `failpoint-rewrite enable`
# in place keeps every line where it was, so a compile error names the line an editor shows.
#
# Usage: e2e_test.sh package <failpoint-build-dir> <failpoint-source-dir> [case...]
#        e2e_test.sh subdir  <failpoint-build-dir> <failpoint-source-dir> [case...]
# Cases: effects compile-error incremental no-failpoints in-place-lines (default: all of them;
# in-place-lines needs the package mode's installed tool).
set -euo pipefail

mode=$1
build=$(cd "$2" && pwd)
source=$(cd "$3" && pwd)
shift 3
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(effects compile-error incremental no-failpoints in-place-lines)

work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-e2e-XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=2

# fail, check_eq
source "$(dirname "${BASH_SOURCE[0]}")/../support/check.sh"

configure_args=()
if [[ $mode == package ]]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  configure_args=(-DE2E_MODE=package "-DCMAKE_PREFIX_PATH=$work/prefix")
elif [[ $mode == subdir ]]; then
  configure_args=(-DE2E_MODE=subdir "-DE2E_FAILPOINT_SOURCE_DIR=$source")
else
  fail "unknown mode $mode"
fi

# Makes a fresh copy of the project in $work/$1 and configures it in $work/$1-build.
setup() {
  local name=$1
  shift
  cp -r "$source/test/rewriter/e2e" "$work/$name"
  cmake -S "$work/$name" -B "$work/$name-build" -DCMAKE_BUILD_TYPE=Debug "${configure_args[@]}" \
    "$@" >"$work/$name-configure.log" 2>&1 || { cat "$work/$name-configure.log"; fail "configure"; }
}
build_it() {
  cmake --build "$work/$1-build" -j "$jobs" 2>&1
}

case_effects() {
  setup fx
  build_it fx >"$work/fx-build.log" || { cat "$work/fx-build.log"; fail "build"; }
  local app=$work/fx-build/app
  check_eq "no FAILPOINTS: save" "saved" "$("$app" save)"
  check_eq "no FAILPOINTS: limit" "limit 100" "$("$app" limit)"
  check_eq "return: no value, body returns false" "save failed" \
    "$(FAILPOINTS='e2e.SaveFails=return' "$app" save)"
  check_eq "return(7): the value reaches the body" "limit 7" \
    "$(FAILPOINTS='e2e.Limit=return(7)' "$app" limit)"
  check_eq "count: 1*return fires once" "limit 7" \
    "$(FAILPOINTS='e2e.Limit=1*return(7)' "$app" limit)"
  check_eq "label and goto: retried until the value" "attempts 3" \
    "$(FAILPOINTS='e2e.Retry=return(3)' "$app" retry)"
  check_eq "header under an include directory is rewritten" "timeout 5" \
    "$(FAILPOINTS='e2e.TimeoutMs=return(5)' "$app" timeout)"
  check_eq "header next to the sources is rewritten" "disk full" \
    "$(FAILPOINTS='e2e.DiskFull=return' "$app" disk)"
  check_eq "__FILE__ names the original" "$work/fx/src/main.cpp" "$("$app" file)"
  check_eq "__FILE__ and __LINE__ in a body name the original line" "$work/fx/src/store.cpp:37" \
    "$(FAILPOINTS='e2e.Where=return' "$app" where)"
  check_eq "a value the failpoint's type cannot take ends the process with status 1" "1" \
    "$(FAILPOINTS='e2e.Limit=return("x")' "$app" limit >/dev/null 2>&1; echo $?)"

  local start end
  start=$(date +%s%N)
  check_eq "sleep(300): the call still succeeds" "saved" \
    "$(FAILPOINTS='e2e.SlowSave=sleep(300)' "$app" save)"
  end=$(date +%s%N)
  (((end - start) / 1000000 >= 300)) || fail "sleep(300): took only $(((end - start) / 1000000)) ms"
  echo "ok: sleep(300) took $(((end - start) / 1000000)) ms"

  local status=0
  (FAILPOINTS='e2e.Crash=panic' exec "$app" crash >"$work/panic.out" 2>"$work/panic.err") || status=$?
  check_eq "panic: the child process aborts (128+SIGABRT)" 134 "$status"
  grep -q "failpoint panic: e2e.Crash" "$work/panic.err" || fail "panic: message missing"
  [[ ! -s $work/panic.out ]] || fail "panic: code after the failpoint ran"
  echo "ok: panic message on stderr"

  local symbols
  symbols=$(nm -C "$app")
  grep -q "failpoint::detail" <<<"$symbols" || fail "enabled build has no failpoint symbols"
  echo "ok: the enabled build has failpoint sites"

  diff -r "$source/test/rewriter/e2e" "$work/fx" >/dev/null ||
    fail "the source tree of the project was modified"
  echo "ok: the sources are untouched"
}

case_compile_error() {
  setup ce
  # Line 17 of store.cpp is the body of Limit: plant an error there.
  sed -n 17p "$work/ce/src/store.cpp" | grep "// limit = Limit;" >/dev/null || fail "store.cpp changed"
  sed -i '17s|// limit = Limit;|// limit = Limit + no_such_variable;|' "$work/ce/src/store.cpp"
  local log
  if log=$(build_it ce); then
    fail "a build with an error in a failpoint body succeeded"
  fi
  echo "$log" | grep "^$work/ce/src/store.cpp:17:[0-9]*: error: .*no_such_variable" >/dev/null || {
    echo "$log"
    fail "the error is not reported at the original file and line"
  }
  echo "ok: the error is reported at $work/ce/src/store.cpp:17"
}

case_incremental() {
  setup inc
  build_it inc >/dev/null || fail "build"
  sleep 1
  touch "$work/inc/src/store.cpp"
  local log
  log=$(build_it inc) || { echo "$log"; fail "rebuild"; }
  echo "$log" | grep "Rewriting failpoints in src/store.cpp" >/dev/null || { echo "$log"; fail "store.cpp copy not regenerated"; }
  if echo "$log" | grep "Rewriting failpoints in src/main.cpp" >/dev/null; then
    echo "$log"
    fail "main.cpp regenerated although only store.cpp changed"
  fi
  echo "ok: editing store.cpp regenerates only its copy"
  log=$(build_it inc)
  if echo "$log" | grep "Rewriting" >/dev/null; then
    echo "$log"
    fail "a build with nothing changed regenerated copies"
  fi
  echo "ok: nothing changed, nothing regenerated"
}

case_no_failpoints() {
  setup off -DE2E_ENABLE=OFF
  build_it off >"$work/off-build.log" || { cat "$work/off-build.log"; fail "build"; }
  local app=$work/off-build/app
  local symbols
  symbols=$(nm -C "$app")
  if grep -i failpoint <<<"$symbols"; then
    fail "a build without failpoint_enable has failpoint symbols"
  fi
  echo "ok: no failpoint symbol without failpoint_enable"
  if grep -q "libfailpoint" <<<"$(readelf -d "$app")"; then
    fail "a build without failpoint_enable links libfailpoint"
  fi
  echo "ok: libfailpoint is not linked"
  check_eq "FAILPOINTS has no effect" "limit 100" "$(FAILPOINTS='e2e.Limit=return(7)' "$app" limit)"
}

# Compiles one enabled file against the installed site header; prints the compiler's output.
compile_enabled() {
  c++ -std=c++17 -fsyntax-only -I"$work/prefix/include" -I"$(dirname "$1")" "$1" 2>&1
}

case_in_place_lines() {
  [[ $mode == package ]] || fail "in-place-lines needs the package mode"
  local tool=$work/prefix/bin/failpoint-rewrite
  mkdir -p "$work/ip"
  cp "$source/test/rewriter/e2e/src/"* "$work/ip/"
  local f=$work/ip/store.cpp line lines log
  line=$(grep -n "// limit = Limit;" "$f" | cut -d: -f1)
  [[ -n $line ]] || fail "store.cpp changed"
  sed -i "${line}s|// limit = Limit;|// limit = Limit + no_such_variable;|" "$f"
  cp "$f" "$work/ip/store.cpp.orig"
  lines=$(wc -l <"$f")
  "$tool" enable --prefix e2e. "$f"
  check_eq "enable in place adds no line" "$lines" "$(wc -l <"$f")"
  grep -q "^#line" "$f" && fail "enable in place wrote a #line directive"
  check_eq "the body line stays on its line" "$line" "$(grep -n no_such_variable "$f" | cut -d: -f1)"
  if log=$(compile_enabled "$f"); then fail "an enabled file with an error compiled"; fi
  echo "$log" | grep "^$f:$line:[0-9]*: error: .*no_such_variable" >/dev/null || {
    echo "$log"
    fail "the error is not reported at line $line of the enabled file"
  }
  echo "ok: the error is reported at $f:$line, the line the file shows"
  "$tool" disable --prefix e2e. "$f"
  cmp -s "$f" "$work/ip/store.cpp.orig" || fail "disable did not restore store.cpp byte for byte"
  echo "ok: disable restores store.cpp byte for byte"

  # A file whose first line is code gets the include and #line 1 as two new lines: the compiler
  # still reports the original line.
  f=$work/ip/first_line.cpp
  printf 'int g() {\n  int v = 0;\n  // failpoint: var G int\n  // v = G + no_such_name;\n  return v;\n}\n' >"$f"
  "$tool" enable "$f"
  check_eq "the fallback form adds two lines" 8 "$(wc -l <"$f")"
  if log=$(compile_enabled "$f"); then fail "an enabled file with an error compiled"; fi
  echo "$log" | grep "^$f:4:[0-9]*: error: .*no_such_name" >/dev/null || {
    echo "$log"
    fail "the error is not reported at the original line 4"
  }
  echo "ok: with the fallback form the error is reported at the original line"
}

for c in "${cases[@]}"; do
  "case_${c//-/_}"
done
echo "all e2e checks passed ($mode: ${cases[*]})"
