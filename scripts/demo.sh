#!/usr/bin/env bash
# The demo: the checkpoint story of gofail's chapter, in C++ (examples/checkpoint).
#
# A watcher handles each new event of a log, then saves the event's revision to a checkpoint
# file. If it crashes between the two, the restarted watcher handles the event again. The demo
# puts a crash exactly there with a failpoint (over HTTP with curl, then with FAILPOINTS), shows
# the duplicate, then shows that the fixed watcher has none under the same fault. It ends with
# failpoint-explore finding the services' bug (examples/services) by itself and printing its
# reproducer.
#
# Installs missing Debian packages first (scripts/deps.sh), builds only the two watchers (and what
# they need) in build/demo (BUILD_DIR=... to change), and exits 0 when every step behaved as
# described, non-zero with the reason otherwise. KEEP=1 keeps the working directory.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

build_dir="${BUILD_DIR:-build/demo}"
jobs="$(nproc 2>/dev/null || echo 2)"
if [[ -t 1 ]]; then
  bold=$'\033[1m' red=$'\033[31m' green=$'\033[32m' dim=$'\033[2m' reset=$'\033[0m'
else
  bold='' red='' green='' dim='' reset=''
fi

step=0
say() { step=$((step + 1)); printf '\n%s== %d. %s%s\n' "$bold" "$step" "$*" "$reset"; }
note() { printf '%s%s%s\n' "$dim" "$*" "$reset"; }
# Prints a command as one would type it, then runs it (its stderr into stdout, and bash's own
# "Aborted" notice for a crashing command dropped).
run() { printf '$ %s\n' "$*"; { eval "$* 2>&1"; } 2>/dev/null; }
fail() { printf '\n%sdemo FAILED at step %d: %s%s\n' "$red" "$step" "$*" "$reset" >&2; exit 1; }

# Polls a command for up to 10 s.
eventually() {
  local i
  for ((i = 0; i < 200; i++)); do
    if eval "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  return 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/failpoint-demo.XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ "${KEEP:-}" == 1 ]]; then echo "(kept $work)"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Starts a watcher in the background with its control endpoint on a free loopback port; sets
# $pid and $addr (host:port, read from FAILPOINTS_HTTP_ADDR_FILE).
start_watcher() {
  local program="$1" dir="$2"
  mkdir -p "$dir"
  rm -f "$dir/addr"
  printf '$ FAILPOINTS_HTTP=127.0.0.1:0 FAILPOINTS_HTTP_ADDR_FILE=%s %s %s &\n' \
    "$dir/addr" "$program" "$dir"
  # The subshell waits for the watcher and records its exit status; its own stderr is dropped so
  # that bash's "Aborted" job notice does not interleave with the story.
  (
    FAILPOINTS_HTTP=127.0.0.1:0 FAILPOINTS_HTTP_ADDR_FILE="$dir/addr" \
      "$program" "$dir" >"$dir/watcher.out" 2>&1 &
    echo $! >"$dir/pid"
    code=0
    wait $! || code=$?
    echo "$code" >"$dir/status"
  ) 2>/dev/null &
  eventually "test -s '$dir/pid'" || fail "the watcher did not start"
  pid="$(cat "$dir/pid")"
  pids+=("$pid")
  eventually "grep -q : '$dir/addr'" || fail "the watcher did not start its endpoint: $(cat "$dir/watcher.out")"
  addr="$(head -n1 "$dir/addr")"
  note "(the endpoint listens on $addr)"
}

# Waits for the watcher started last to end; sets $status.
wait_exit() {
  eventually "test -s '$d/status'" || fail "the watcher should have crashed, but it still runs"
  status="$(cat "$d/status")"
  note "(the watcher ended with status $status: 134 is SIGABRT)"
}

# How many times event `rev` was handled in `dir`.
handled() { grep -c "^rev $2:" "$1/notifications.log" || true; }

feed() { run "echo '$2' >> $1/events.log"; }

# Shows `curl -s URL` and its answer; fails unless the answer matches the glob `expected`.
curl_expect() {
  local url="$1" expected="$2" answer
  printf '$ curl -s %s\n' "$url"
  answer="$(curl -s "$url")" || fail "curl $url failed"
  printf '%s\n' "$answer"
  # shellcheck disable=SC2053
  [[ "$answer" == $expected ]] || fail "GET $url answered '$answer', expected $expected"
}

# Feeds event 2 to the watcher in $d, which must handle it and then crash at BeforeSave, leaving
# the checkpoint at 1.
crash_at_second_event() {
  feed "$d" "PUT /config/mode safe"
  wait_exit
  run "cat $d/watcher.out"
  [[ $status -eq 134 ]] || fail "the watcher should have aborted (status 134), got $status"
  grep -q 'failpoint panic: checkpoint.BeforeSave' "$d/watcher.out" || fail "no panic message"
  run "cat $d/notifications.log $d/checkpoint"
  [[ "$(cat "$d/checkpoint")" == 1 && "$(handled "$d" 2)" == 1 ]] ||
    fail "after the crash, event 2 should be handled once and the checkpoint at 1"
  note "(event 2 was handled, but the checkpoint still says 1)"
}

say "Build the two watchers with their failpoints compiled in ($build_dir)"
note "examples/checkpoint/watcher.cpp, between handling an event and saving its revision:"
grep -n -B2 -A1 'failpoint: var BeforeSave' examples/checkpoint/watcher.cpp
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAILPOINT_BUILD_TESTS=OFF \
  -DFAILPOINT_BUILD_EXAMPLES=ON -DFAILPOINT_BUILD_REWRITER=ON -DFAILPOINT_BUILD_HTTP=ON >/dev/null ||
  fail "cmake could not configure $build_dir"
cmake --build "$build_dir" -j "$jobs" --target checkpoint_watcher checkpoint_watcher_fixed >/dev/null ||
  fail "the build failed (run: cmake --build $build_dir --target checkpoint_watcher)"
buggy="$build_dir/examples/checkpoint/checkpoint_watcher"
fixed="$build_dir/examples/checkpoint/checkpoint_watcher_fixed"

say "Start the watcher; list its failpoints over HTTP"
d="$work/buggy"
start_watcher "$buggy" "$d"
curl_expect "http://$addr/" "*checkpoint.BeforeSave=*"

say "Feed an event: the watcher handles it (a notification) and saves its revision"
feed "$d" "PUT /config/mode fast"
eventually "grep -q 'saved: 1' '$d/watcher.out'" || fail "the watcher did not handle event 1"
run "cat $d/watcher.out"
run "cat $d/notifications.log $d/checkpoint"

say "Arm a crash between handling and saving: curl -X PUT -d panic"
run "curl -sf -X PUT -d panic http://$addr/checkpoint.BeforeSave" || fail "the PUT was refused"
curl_expect "http://$addr/" "*checkpoint.BeforeSave=panic*"
curl_expect "http://$addr/checkpoint.BeforeSave/count" "0*"

say "Feed a second event: it is handled, then the watcher crashes before saving revision 2"
crash_at_second_event

say "Restart the watcher: it resumes after revision 1 and handles event 2 a second time"
run "$buggy --drain $d"
run "cat $d/notifications.log"
[[ "$(handled "$d" 2)" == 2 ]] || fail "the buggy watcher should have handled event 2 twice"
printf '%sDUPLICATE: event 2 was handled twice (the bug of the chapter)%s\n' "$red" "$reset"

say "The fixed watcher, same story: arm '1*off->panic' (let one event through, crash at the next)"
note "The fix (WATCHER_FIXED): each notification carries its revision; on start the watcher"
note "resumes after the last notification, not after the checkpoint, which may be behind."
d="$work/fixed"
start_watcher "$fixed" "$d"
run "curl -sf -X PUT -d '1*off->panic' http://$addr/checkpoint.BeforeSave" ||
  fail "the PUT was refused"
curl_expect "http://$addr/" "*checkpoint.BeforeSave=1\*off->panic*"
feed "$d" "PUT /config/mode fast"
eventually "grep -q 'saved: 1' '$d/watcher.out'" || fail "the fixed watcher did not handle event 1"
curl_expect "http://$addr/checkpoint.BeforeSave/count" "1*"

say "Feed a second event: handled, then the crash"
crash_at_second_event

say "Restart the fixed watcher: nothing is handled twice"
run "$fixed --drain $d"
run "cat $d/notifications.log $d/checkpoint"
[[ "$(handled "$d" 2)" == 1 ]] || fail "the fixed watcher handled event 2 twice"
printf '%sno duplicate%s\n' "$green" "$reset"

say "The same fault set at start with FAILPOINTS, for both watchers"
for variant in buggy fixed; do
  program="$buggy"
  [[ $variant == fixed ]] && program="$fixed"
  d="$work/env-$variant"
  mkdir -p "$d"
  printf 'PUT /config/mode fast\nPUT /config/mode safe\n' >"$d/events.log"
  status=0
  run "FAILPOINTS='checkpoint.BeforeSave=1*off->panic' $program --drain $d" || status=$?
  [[ $status -eq 134 ]] || fail "$variant: FAILPOINTS should have made it abort (status 134), got $status"
  run "$program --drain $d"
  run "cat $d/notifications.log"
  expected=2
  [[ $variant == fixed ]] && expected=1
  [[ "$(handled "$d" 2)" == "$expected" ]] ||
    fail "$variant: event 2 handled $(handled "$d" 2) times, expected $expected"
done
printf '%sbuggy: event 2 handled twice; fixed: once%s\n' "$green" "$reset"

say "A typo in FAILPOINTS is an error, not a test that passes for the wrong reason"
status=0
run "FAILPOINTS='checkpoint.BeforeSave=panik' $buggy --drain $work/buggy" || status=$?
[[ $status -eq 1 ]] || fail "a malformed FAILPOINTS should exit with status 1, got $status"

say "failpoint-explore finds a bug by itself: the services' functional test (examples/services)"
note "(no fault test is written: it runs the test under every fault it reaches, README \"Exploring faults\")"
cmake --build "$build_dir" -j "$jobs" --target failpoint-explore services_functional_test \
  services_foo services_foo_fixed services_bar services_baz >/dev/null ||
  fail "could not build failpoint-explore and the services"
explore="$build_dir/explorer/failpoint-explore"
s="$build_dir/examples/services"
services="$s/services_functional_test $s/services_foo $s/services_bar $s/services_baz"
status=0
run "$explore --progress lines --out $work/explore --faults examples/services/faults.json -- $services" ||
  status=$?
[[ $status -eq 1 ]] || fail "the exploration should have found foo's bug (exit status 1), got $status"
grep -q 'foo.CallBar=1\*return(\\"refused\\")->off' "$work/explore/failure-1.json" ||
  fail "the failure found is not foo's mishandled connection error"

say "The reproducer it wrote, and its replay"
run "cat $work/explore/failure-1.sh"
run "$explore replay $work/explore/failure-1.json" || fail "the counterexample did not reproduce"

say "The same exploration with the fixed foo finds nothing"
run "$explore --progress lines --out $work/explore-fixed --faults examples/services/faults.json -- ${services/services_foo /services_foo_fixed }" ||
  fail "the fixed foo should pass under every fault"

printf '\n%sdemo OK%s\n' "$green" "$reset"
