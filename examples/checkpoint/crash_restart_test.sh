#!/bin/sh
# examples/checkpoint/crash_restart_test.sh WATCHER: a functional test of the watcher that
# failpoint-explore runs (README.md, "Exploring faults"). Three events; the watcher drains them;
# if it dies (a crash), it is restarted once without faults, as a supervisor would. Then every
# event must have been handled exactly once. Exit status 0 when so, 1 otherwise.
set -u
watcher=$1
dir=$(mktemp -d)
printf 'PUT a 1\nPUT b 2\nPUT c 3\n' > "$dir/events.log"
if ! "$watcher" --drain "$dir" > "$dir/first.out" 2>&1; then
  echo "watcher died; restarting it" >&2
  env -u FAILPOINTS "$watcher" --drain "$dir" > "$dir/second.out" 2>&1 || exit 1
fi
for rev in 1 2 3; do
  n=$(grep -c "^rev $rev:" "$dir/notifications.log")
  if [ "$n" != 1 ]; then
    echo "Assertion failed: event $rev handled $n times" >&2
    exit 1
  fi
done
rm -rf "$dir"
