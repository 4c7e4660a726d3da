#!/usr/bin/env bash
# Checks that every tracked C and C++ source is formatted by the project's .clang-format, include
# blocks included (docs/architecture.md, "Include blocks"). Test data under test/rewriter/ is
# compared byte for byte by the rewriter's tests and is never formatted, so it is left out.
# Usage: format_test.sh SOURCE_DIR CLANG_FORMAT
set -euo pipefail
source_dir=$1
clang_format=$2
cd "$source_dir"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "format_test: $source_dir is not a git checkout; nothing to check"
  exit 0
fi
mapfile -t files < <(git ls-files -- '*.c' '*.h' '*.cc' '*.cpp' '*.hpp' |
  grep -v -E '^test/rewriter/(errors|golden|warnings|e2e)/')
unformatted=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  if ! "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
    unformatted+=("$f")
  fi
done
if [[ ${#unformatted[@]} -gt 0 ]]; then
  echo "format_test: ${#unformatted[@]} of ${#files[@]} files differ from .clang-format:" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  echo "fix: clang-format -i ${unformatted[*]}" >&2
  exit 1
fi
echo "format_test: ${#files[@]} files formatted"
