#!/usr/bin/env bash
# End-to-end tests of failpoint's CMake package: real projects configured, built and run against
# an install of this build tree (in a temporary directory).
#
# Usage: cmake_test.sh <failpoint-build-dir> <failpoint-source-dir> <case>
# Cases:
#   linking        failpoint_enable() on a static library, an object library (and a static
#                  library linked through another) and an executable: each program serves
#                  FAILPOINTS_HTTP, and a real PUT changes what its site does
#   type-conflict  one name with two types in two files of one target fails the build, naming
#                  both locations
#   consumer       a static library built with failpoint_enable() is installed; a project that
#                  does not mention failpoint links it and its failpoint works
#   subproject     through add_subdirectory() failpoint builds no tests or examples and imposes
#                  no build type; neither does a plain configure of failpoint; a missing
#                  component fails find_package
#   exploration    failpoint_add_exploration() from an installed failpoint (failpoint::explore):
#                  the exploration of a test with a bug fails, that of the fixed test passes
set -euo pipefail

build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
case_name=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-cmake-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
jobs=2
readonly k_poll_limit=200  # polls of 50 ms (10 s) for a child's address file or exit

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok: $*"; }

install_failpoint() {
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
}
# configure <name> <source-dir> [args...]: configures into $work/<name>-build, log in
# $work/<name>-configure.log; returns cmake's status.
configure() {
  local name=$1 dir=$2
  shift 2
  cmake -S "$dir" -B "$work/$name-build" -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_PREFIX_PATH=$work/prefix" "$@" >"$work/$name-configure.log" 2>&1
}
build_project() {
  cmake --build "$work/$1-build" -j "$jobs" >"$work/$1-build.log" 2>&1
}
must() {  # must <what> <command...>: runs the command; on failure prints the logs
  local what=$1
  shift
  "$@" || {
    cat "$work"/*.log
    fail "$what"
  }
}

# Runs <program> with the endpoint on a free port, PUTs return(7) to <name>, lets the program
# evaluate its site and checks that it printed "limit 7".
check_endpoint() {
  local program=$1 name=$2 label=$3
  local addr_file=$work/$label.addr go=$work/$label.go out=$work/$label.out
  FAILPOINTS_HTTP=127.0.0.1:0 FAILPOINTS_HTTP_ADDR_FILE=$addr_file "$program" "$go" >"$out" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local i
  for ((i = 0; i < k_poll_limit; i++)); do
    [[ -s $addr_file ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -s $addr_file ]] || {
    cat "$out"
    fail "$label: no endpoint (FAILPOINTS_HTTP was ignored)"
  }
  local addr code listing
  addr=$(cat "$addr_file")
  listing=$(curl -s --max-time 10 "http://$addr/")
  grep -q "^$name=" <<<"$listing" || fail "$label: $name is not listed by the endpoint: $listing"
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X PUT -d 'return(7)' \
    "http://$addr/$name")
  [[ $code == 204 ]] || fail "$label: PUT $name answered $code"
  touch "$go"
  wait "$pid" || fail "$label: the program failed: $(cat "$out")"
  grep -qx "limit 7" "$out" || fail "$label: the PUT did not reach the site: $(cat "$out")"
  ok "$label: FAILPOINTS_HTTP served, PUT $name reached the site"
}

case_linking() {
  install_failpoint
  cp -r "$source/test/cmake" "$work/src"
  must "configure" configure linking "$work/src/linking"
  must "build" build_project linking
  local b=$work/linking-build
  check_endpoint "$b/app_static" static.Limit "static library"
  check_endpoint "$b/app_object" object.Limit "object library"
  check_endpoint "$b/app_wrapped" static.Limit "static library through another static library"
  check_endpoint "$b/app_exe" exe.Limit "executable"
}

case_type_conflict() {
  install_failpoint
  mkdir -p "$work/conflict"
  cat >"$work/conflict/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(conflict CXX)
find_package(failpoint CONFIG REQUIRED)
add_executable(conflict a.cpp b.cpp)
failpoint_enable(conflict)
CMAKE
  printf 'int a() {\n  // failpoint: var Twice int\n  // return Twice;\n  return 0;\n}\n' \
    >"$work/conflict/a.cpp"
  printf 'bool b() {\n  // failpoint: var Twice bool\n  // return Twice;\n  return true;\n}\n' \
    >"$work/conflict/b.cpp"
  printf 'int a();\nbool b();\nint main() { return a() + b(); }\n' >>"$work/conflict/b.cpp"
  must "configure" configure conflict "$work/conflict"
  if build_project conflict; then
    fail "a target with one name of two types in two files built"
  fi
  local log=$work/conflict-build.log
  grep -q "$work/conflict/b.cpp:2:3: error: failpoint 'Twice' declared with type 'bool' here" "$log" ||
    { cat "$log"; fail "the error does not name b.cpp:2"; }
  grep -q "$work/conflict/a.cpp:2:3: note: failpoint 'Twice' first declared here" "$log" ||
    { cat "$log"; fail "the error does not name a.cpp:2"; }
  ok "the build fails, naming b.cpp:2 (bool) and a.cpp:2 (int)"
  sed -i 's/var Twice bool/var Twice int/; s/return Twice;/return Twice != 0;/' "$work/conflict/b.cpp"
  must "rebuild after the fix" build_project conflict
  grep -q "^Twice	int	$work/conflict/a.cpp:2" "$work/conflict-build/failpoint/conflict/failpoints.txt" ||
    fail "failpoints.txt does not list the target's failpoints"
  ok "once fixed the target builds and failpoints.txt lists its failpoints"
}

case_consumer() {
  install_failpoint
  cp -r "$source/test/cmake" "$work/src"
  must "configure the library" configure library "$work/src/library"
  must "build the library" build_project library
  cmake --install "$work/library-build" --prefix "$work/store" >/dev/null
  # The consumer sees only the store package (and failpoint's prefix on the search path, as a
  # system install would be).
  must "configure the consumer" configure consumer "$work/src/consumer" \
    "-DCMAKE_PREFIX_PATH=$work/store;$work/prefix"
  must "build the consumer" build_project consumer
  touch "$work/go"
  local out
  out=$(FAILPOINTS='store.Limit=return(7)' "$work/consumer-build/consumer" "$work/go")
  [[ $out == "limit 7" ]] || fail "the installed library's failpoint did not fire: $out"
  ok "a consumer that does not mention failpoint builds and its failpoint fires"
  if grep -qi "failpoint" "$work/src/consumer/CMakeLists.txt"; then
    fail "the consumer project mentions failpoint"
  fi
  # Without find_dependency(failpoint) in the library's package config the consumer cannot link
  # it: the rule the README gives library authors.
  sed -i '/find_dependency(failpoint)/d' "$work/store/lib/cmake/store/storeConfig.cmake"
  if configure consumer-bare "$work/src/consumer" "-DCMAKE_PREFIX_PATH=$work/store;$work/prefix"; then
    fail "a library config without find_dependency(failpoint) still worked"
  fi
  grep -q 'failpoint::runtime' "$work/consumer-bare-configure.log" ||
    fail "configure failed for another reason: $(cat "$work/consumer-bare-configure.log")"
  ok "without find_dependency(failpoint) the consumer fails: failpoint::runtime not found"
}

case_subproject() {
  must "configure as a subproject" configure sub "$source/test/cmake/subproject" \
    "-DFAILPOINT_SOURCE_DIR=$source" -UCMAKE_BUILD_TYPE -DCMAKE_BUILD_TYPE=
  grep -q "subproject: no tests, no examples, no defaults imposed" "$work/sub-configure.log" ||
    fail "subproject check did not run"
  ok "add_subdirectory: no tests, no examples, no build type, no compile commands"
  # A plain configure of failpoint itself (the README's install line) has no test or example
  # target either.
  cmake -S "$source" -B "$work/plain-build" >"$work/plain-configure.log" 2>&1 ||
    { cat "$work/plain-configure.log"; fail "plain configure"; }
  local targets
  targets=$(cmake --build "$work/plain-build" --target help)
  grep -q "failpoint_runtime" <<<"$targets" || fail "the plain build has no runtime target"
  if grep -E "_tests|failpoint_quickstart|checkpoint_watcher" <<<"$targets"; then
    fail "a plain configure defines test or example targets"
  fi
  ok "a plain configure builds no tests and no examples"
  install_failpoint
  mkdir -p "$work/missing"
  cat >"$work/missing/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(missing CXX)
find_package(failpoint CONFIG REQUIRED COMPONENTS http rewrite nosuch)
CMAKE
  if configure missing "$work/missing"; then
    fail "find_package with a component that does not exist succeeded"
  fi
  grep -q "nosuch" "$work/missing-configure.log" || fail "the error does not name the component"
  ok "find_package(failpoint COMPONENTS ... nosuch) fails naming it"
}

case_exploration() {
  install_failpoint
  # The installed programs find failpoint's libraries in their own prefix (no LD_LIBRARY_PATH).
  local program
  for program in failpoint-explore failpoint-gate failpointctl; do
    [ -x "$work/prefix/bin/$program" ] || continue
    "$work/prefix/bin/$program" --help >"$work/$program-version.log" 2>&1 || {
      cat "$work/$program-version.log"
      fail "the installed $program does not start"
    }
  done
  mkdir -p "$work/explored"
  cat >"$work/explored/store.cpp" <<'CPP'
#include <failpoint/failpoint.hpp>
#include <cstdio>
#include <cstring>
// Saves two records; a failed save is retried only when built FIXED.
int main() {
  int saved = 0;
  for (int record = 1; record <= 2; ++record) {
    bool failed = false;
    if (auto fp = FAILPOINT_VALUE("store.Save", bool))
      failed = *fp;
#ifndef FIXED
    if (failed && record == 2)
      continue;
#endif
    ++saved;
  }
  if (saved != 2) {
    std::fprintf(stderr, "Assertion failed: a record was lost\n");
    return 1;
  }
  return 0;
}
CPP
  cat >"$work/explored/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(explored CXX)
set(CMAKE_CXX_STANDARD 17)
enable_testing()
find_package(failpoint CONFIG REQUIRED)
foreach(variant buggy fixed)
  add_executable(store_${variant} store.cpp)
  target_link_libraries(store_${variant} PRIVATE failpoint::runtime)
  add_test(NAME store.${variant} COMMAND store_${variant})
  failpoint_add_exploration(explore.${variant} TEST store.${variant} DEPTH 1)
endforeach()
target_compile_definitions(store_fixed PRIVATE FIXED)
CMAKE
  must "configure a project using failpoint_add_exploration" configure explored "$work/explored"
  must "build it" build_project explored
  local out
  out=$(ctest --test-dir "$work/explored-build" -L failpoint-exploration 2>&1) && {
    echo "$out"
    fail "the exploration of the buggy test passed"
  }
  grep -Eq "explore\.fixed \.+ +Passed" <<<"$out" || {
    echo "$out"
    fail "the exploration of the fixed test did not pass"
  }
  grep -Eq "explore\.buggy \.+\*\*\*Failed" <<<"$out" || {
    echo "$out"
    fail "the exploration of the buggy test did not fail"
  }
  [ -f "$work/explored-build/failpoint-exploration/explore.buggy/store.buggy/failure-1.json" ] ||
    fail "no counterexample for the buggy test"
  grep -q "failpoint-explore" <<<"$(ctest --test-dir "$work/explored-build" -N -V -R explore.buggy)" ||
    fail "the exploration does not run failpoint-explore"
  ok "failpoint_add_exploration from an install: the buggy exploration fails, the fixed passes"
}

"case_${case_name//-/_}"
echo "all checks passed ($case_name)"
