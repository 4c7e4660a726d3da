# test/support/check.sh: the assertions of the end-to-end shell tests (sourced, not run).
#   fail MESSAGE...             prints "FAIL: MESSAGE" on stderr and exits with status 1
#   check_eq WHAT EXPECTED GOT  fails naming WHAT unless GOT is EXPECTED, else prints "ok: WHAT"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check_eq() {
  [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
  echo "ok: $1"
}
