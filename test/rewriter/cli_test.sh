#!/usr/bin/env bash
# Command-line test of failpoint-rewrite: enable/disable over a directory tree (atomic, mode kept,
# files without failpoints untouched, idempotent), refusal of an edited file, list, generate.
# Usage: cli_test.sh <failpoint-rewrite>
set -euo pipefail
tool=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/failpoint-cli-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok: $*"; }

mkdir -p "$work/tree/src/deep" "$work/tree/.hidden"
printf 'int f() {\n  // failpoint: var A int\n  // return A;\n  return 0;\n}\n' >"$work/tree/src/a.cpp"
printf 'int g() {\r\n\t// failpoint: var B\r\n\treturn 1;\r\n}' >"$work/tree/src/deep/b.hpp"
printf 'int h() { return 2; }\n' >"$work/tree/src/plain.cpp"
printf '// failpoint: var NotSource\nint x;\n' >"$work/tree/src/notes.txt"
printf 'void k() {\n  // failpoint: var Hidden\n  k();\n}\n' >"$work/tree/.hidden/c.cpp"
chmod 0640 "$work/tree/src/a.cpp"
cp -a "$work/tree" "$work/orig"
touch -d '2001-01-01' "$work/tree/src/plain.cpp"

"$tool" --help | grep "enable" >/dev/null || fail "--help does not list the commands"
"$tool" enable --help | grep -- "--prefix" >/dev/null || fail "enable --help has no --prefix"
ok "--help"

"$tool" enable "$work/tree"
grep -q 'FAILPOINT_VALUE("A", int)' "$work/tree/src/a.cpp" || fail "a.cpp not enabled"
grep -q 'FAILPOINT("B")' "$work/tree/src/deep/b.hpp" || fail "b.hpp not enabled"
cmp -s "$work/tree/src/notes.txt" "$work/orig/src/notes.txt" || fail "a .txt file was rewritten"
cmp -s "$work/tree/.hidden/c.cpp" "$work/orig/.hidden/c.cpp" || fail "a hidden directory was walked"
[[ $(stat -c %a "$work/tree/src/a.cpp") == 640 ]] || fail "the mode of a.cpp changed"
[[ $(stat -c %Y "$work/tree/src/plain.cpp") == $(date -d 2001-01-01 +%s) ]] ||
  fail "a file without failpoints was written"
[[ -z $(find "$work/tree" -name '*.failpoint-*') ]] || fail "a temporary file was left"
ok "enable rewrites sources recursively, keeps modes, leaves other files alone"

cp -a "$work/tree" "$work/enabled"
"$tool" enable "$work/tree"
diff -r "$work/tree" "$work/enabled" >/dev/null || fail "enabling twice changed something"
ok "enable twice is harmless"

"$tool" disable "$work/tree"
diff -r "$work/tree" "$work/orig" >/dev/null || fail "disable did not restore the tree byte for byte"
[[ $(stat -c %a "$work/tree/src/a.cpp") == 640 ]] || fail "disable changed the mode of a.cpp"
ok "disable restores every file byte for byte"

"$tool" list --json --prefix p. "$work/tree/src" >"$work/list.json"
python3 - "$work/list.json" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
assert sorted(i["name"] for i in items) == ["p.A", "p.B"], items
a = [i for i in items if i["name"] == "p.A"][0]
assert a["type"] == "int" and a["line"] == 2 and a["body"] == ["return A;"] and a["var"] == "A", a
PY
"$tool" list "$work/tree/src" | grep "^A	int	.*a.cpp:2$" >/dev/null || fail "list text output"
ok "list and list --json"

# An enabled file edited so it cannot be restored: refused, left as it is, exit status 1.
"$tool" enable "$work/tree/src/a.cpp"
sed -i 's/return A; }/return A + 1; }/' "$work/tree/src/a.cpp"
cp "$work/tree/src/a.cpp" "$work/edited.cpp"
if "$tool" disable "$work/tree/src/a.cpp" 2>"$work/err.txt"; then fail "disable accepted an edited file"; fi
grep -q "a.cpp:5:.*: error: enabled failpoint line was edited" "$work/err.txt" || {
  cat "$work/err.txt"
  fail "no diagnostic for the edited line"
}
cmp -s "$work/tree/src/a.cpp" "$work/edited.cpp" || fail "a refused file was modified"
ok "disable refuses an edited file with a diagnostic and leaves it untouched"

# Errors: a diagnostic, a non-zero status, the file untouched.
printf 'void f() {\n  // failpoint: var\n  f();\n}\n' >"$work/bad.cpp"
cp "$work/bad.cpp" "$work/bad.orig"
if "$tool" enable "$work/bad.cpp" 2>"$work/err.txt"; then fail "enable accepted a header without name"; fi
grep -q "bad.cpp:2:20: error: failpoint header has no name" "$work/err.txt" || fail "diagnostic"
cmp -s "$work/bad.cpp" "$work/bad.orig" || fail "a file with an error was modified"
printf 'void g() {\n  // failpoint: var A bool\n  g();\n}\n' >"$work/other.cpp"
if "$tool" list "$work/orig/src/a.cpp" "$work/other.cpp" >/dev/null 2>"$work/err.txt"; then
  fail "two types for one name across files accepted"
fi
grep -q "other.cpp:2:3: error: failpoint 'A' declared with type 'bool' here but with type 'int'" \
  "$work/err.txt" || fail "cross-file type diagnostic"
if "$tool" enable "$work/missing" 2>/dev/null; then fail "a missing path was accepted"; fi
ok "errors give diagnostics and a non-zero status"

# Warnings: printed, the file rewritten all the same, exit status 0; with --Werror an error, the
# file untouched, exit status 1.
printf 'int f() {\n  // failpoint: var Split\n  // Fragment the record into pieces.\n  return 0;\n}\n' >"$work/warn.cpp"
cp "$work/warn.cpp" "$work/warn.orig"
if ! "$tool" enable --Werror "$work/warn.cpp" 2>"$work/err.txt"; then :; else fail "--Werror accepted a warning"; fi
grep -q "warn.cpp:3:6: error: .*reads like prose \[--Werror\]" "$work/err.txt" || { cat "$work/err.txt"; fail "--Werror diagnostic"; }
cmp -s "$work/warn.cpp" "$work/warn.orig" || fail "--Werror: the file was modified"
"$tool" enable "$work/warn.cpp" 2>"$work/err.txt" || fail "a warning made enable fail"
grep -q "warn.cpp:3:6: warning: .*reads like prose" "$work/err.txt" || { cat "$work/err.txt"; fail "warning"; }
grep -q "warn.cpp:2:3: note: the body of this failpoint is every '//' line" "$work/err.txt" || fail "note"
grep -q 'FAILPOINT("Split")' "$work/warn.cpp" || fail "a file with a warning was not enabled"
ok "warnings are printed and change nothing; --Werror makes them errors"

# generate: copies under --output-dir mirroring --root, with #line naming the original.
"$tool" generate --output-dir "$work/out" --root "$work/orig" "$work/orig/src"
head -2 "$work/out/src/a.cpp" | diff - <(printf '#include <failpoint/failpoint.hpp>\n#line 1 "%s"\n' "$work/orig/src/a.cpp") ||
  fail "generate header"
head -1 "$work/out/src/plain.cpp" | grep "^#line 1 \"$work/orig/src/plain.cpp\"$" >/dev/null || fail "plain copy"
if "$tool" generate --output-dir "$work/out" --root "$work/orig/src/deep" "$work/orig/src/a.cpp" 2>/dev/null; then
  fail "a file outside --root was accepted"
fi
ok "generate"
echo "all cli checks passed"
