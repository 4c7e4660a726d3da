#!/usr/bin/env bash
# What failpoints cost the compiler: compile time of small and typical translation units with 0,
# 10, 50 and 200 sites, the object code each site adds, and (COUNT_COMPILE=1) the compiler's
# instruction count under callgrind. Writes one JSON object (bench/report.cpp turns it into
# table rows; scripts/bench.sh runs this as its compile-cost part).
#
# Usage: scripts/compile_cost.sh OUT.json
#   CXX          the compiler (default c++), run with -std=c++17 -O2
#   INCLUDE_DIR  the failpoint headers to measure (default include/ of this tree: set it to
#                another tree's include/ to measure before and after a change of the header)
#   ROUNDS       rounds of CPU-time measurements, least kept (default 12)
#   COUNT_COMPILE=1  also count the compiler's instructions under callgrind: deterministic, and
#                the figure the per-site target is judged by (a few minutes more)
#   RAW          directory for callgrind's logs (default: a temporary directory)
#
# A typical TU includes <algorithm> <map> <memory> <string> <vector> and defines one function
# using them; its failpoint sites are a mix of bool, int, std::string and void sites, the forms
# failpoint-rewrite generates. A site's own cost is the difference to a TU with the same functions
# where each site is a plain relaxed load (net); "with its function" is the difference to the TU
# with 0 sites. CPU time and object bytes are taken at 200 sites, instruction counts at 50; the
# instruction count is turned into milliseconds with the compiler's own rate on the 0-site TU in
# the same run (its instructions over its least CPU time).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
out="${1:?usage: scripts/compile_cost.sh OUT.json}"
include_dir="${INCLUDE_DIR:-$repo/include}"
cxx_bin="${CXX:-c++}"
rounds="${ROUNDS:-12}"
tu="$(mktemp -d "${TMPDIR:-/tmp}/failpoint-compile.XXXXXX")"
trap 'rm -rf "$tu"' EXIT
raw="${RAW:-$tu}"
mkdir -p "$raw"
say() { echo "compile_cost: $*" >&2; }

typical_includes='#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>'
typical_body='std::map<std::string, std::vector<int>> index_words(const std::vector<std::string>& ws) {
  std::map<std::string, std::vector<int>> out;
  for (std::size_t i = 0; i < ws.size(); ++i) out[ws[i]].push_back(static_cast<int>(i));
  for (auto& e : out) std::sort(e.second.begin(), e.second.end());
  return out;
}'
atomic_body='std::atomic<bool> flag{false};
bool probe() { return flag.load(std::memory_order_relaxed); }'
# The small TU's 50 sites: int and void (the figures of earlier runs).
sites50=""
for i in $(seq 1 25); do
  sites50+="int site_value_$i(int x) { if (auto fp = FAILPOINT_VALUE(\"tu.value_$i\", int)) x += *fp; return x; }
bool site_$i() { if (FAILPOINT(\"tu.plain_$i\")) return false; return true; }
"
done
# N sites of the four kinds in turn, each in its own function.
mixed_sites() {
  local i
  for ((i = 0; i < $1; i++)); do
    case $((i % 4)) in
      0) echo "bool site_$i(bool x) { if (auto fp = FAILPOINT_VALUE(\"tu.bool_$i\", bool)) x = *fp; return x; }" ;;
      1) echo "int site_$i(int x) { if (auto fp = FAILPOINT_VALUE(\"tu.int_$i\", int)) x += *fp; return x; }" ;;
      2) echo "std::string site_$i(std::string x) { if (auto fp = FAILPOINT_VALUE(\"tu.string_$i\", std::string)) x = *fp; return x; }" ;;
      3) echo "bool site_$i() { if (FAILPOINT(\"tu.void_$i\")) return false; return true; }" ;;
    esac
  done
}
# The same functions with a plain relaxed load where the failpoint was: what the code around the
# sites costs by itself (the sites' own cost is the difference).
plain_sites() {
  local i
  echo 'extern bool plain_bool; extern int plain_int; extern std::string plain_string;'
  for ((i = 0; i < $1; i++)); do
    case $((i % 4)) in
      0) echo "bool site_$i(bool x) { if (flag.load(std::memory_order_relaxed)) x = plain_bool; return x; }" ;;
      1) echo "int site_$i(int x) { if (flag.load(std::memory_order_relaxed)) x += plain_int; return x; }" ;;
      2) echo "std::string site_$i(std::string x) { if (flag.load(std::memory_order_relaxed)) x = plain_string; return x; }" ;;
      3) echo "bool site_$i() { if (flag.load(std::memory_order_relaxed)) return false; return true; }" ;;
    esac
  done
}
counts=(10 50 200)
printf '#include <atomic>\n%s\n' "$atomic_body" >"$tu/atomic.cpp"
printf '#include <failpoint/failpoint.hpp>\n%s\n' "$atomic_body" >"$tu/header.cpp"
printf '#include <failpoint/failpoint.hpp>\n%s\n%s\n' "$atomic_body" "$sites50" >"$tu/sites50.cpp"
printf '#include <atomic>\n%s\n%s\n%s\n' "$typical_includes" "$atomic_body" "$typical_body" \
  >"$tu/typical.cpp"
printf '#include <failpoint/failpoint.hpp>\n%s\n%s\n%s\n' "$typical_includes" "$atomic_body" \
  "$typical_body" >"$tu/typical_header.cpp"
for n in "${counts[@]}"; do
  printf '#include <failpoint/failpoint.hpp>\n%s\n%s\n%s\n%s\n' "$typical_includes" \
    "$atomic_body" "$typical_body" "$(mixed_sites "$n")" >"$tu/typical_sites$n.cpp"
done
# Callgrind runs on the 50-site TUs only (the 200-site TU would take it 10 minutes).
counted=50
for n in "$counted" "${counts[-1]}"; do
  printf '#include <failpoint/failpoint.hpp>\n%s\n%s\n%s\n%s\n' "$typical_includes" \
    "$atomic_body" "$typical_body" "$(plain_sites "$n")" >"$tu/typical_plain$n.cpp"
done
cxx=("$cxx_bin" -std=c++17 -O2 -I "$include_dir")

# CPU time (user + system, the compiler's processes included) of one compile of $1, in ms.
compile_ms() {
  local cpu
  cpu="$({
    TIMEFORMAT='%3U %3S'
    time "${cxx[@]}" -c "$1" -o "$tu/out.o"
  } 2>&1)"
  awk -v t="$cpu" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000 }'
}
pp_bytes() { printf '#include <%s>\n' "$1" | "${cxx[@]}" -x c++ -E - | wc -c; }
json="{\"compiler\": \"$("$cxx_bin" --version | head -1 | sed 's/"/\\"/g')\""
json+=", \"site_counts\": [$(IFS=,; echo "${counts[*]}")], \"counted_sites\": $counted"

# Rounds over all translation units, so that a busy moment hits them alike; the least CPU time
# of each is kept (CPU time moves less than wall time when other work shares the machine).
say "CPU time ($rounds rounds, least kept)"
tus=(atomic header sites50 typical typical_header)
for n in "${counts[@]}"; do tus+=("typical_sites$n"); done
tus+=("typical_plain$counted" "typical_plain${counts[-1]}")
declare -A best_ms
for _ in $(seq 1 "$rounds"); do
  for name in "${tus[@]}"; do
    ms="$(compile_ms "$tu/$name.cpp")"
    if [[ -z "${best_ms[$name]:-}" || "$ms" -lt "${best_ms[$name]}" ]]; then
      best_ms[$name]="$ms"
    fi
  done
done
for name in "${tus[@]}"; do
  json+=", \"${name}_ms\": ${best_ms[$name]}"
done

# Object code: text + data of each typical TU's object (size(1), Berkeley format).
for name in typical_header "${tus[@]:5}"; do
  "${cxx[@]}" -c "$tu/$name.cpp" -o "$tu/$name.o"
  json+=", \"${name}_object_bytes\": $(size "$tu/$name.o" | awk 'NR == 2 { print $1 + $2 }')"
done

if [[ "${COUNT_COMPILE:-0}" == 1 ]]; then
  if command -v valgrind >/dev/null; then
    say "instruction counts under callgrind (COUNT_COMPILE=1)"
    for name in atomic header typical typical_header "typical_sites$counted" \
      "typical_plain$counted"; do
      rm -f "$tu"/cg.*
      valgrind --tool=callgrind --trace-children=yes --trace-children-skip='*/as,*/ld,*/collect2' \
        --callgrind-out-file="$tu/cg.%p" "${cxx[@]}" -c "$tu/$name.cpp" -o "$tu/out.o" \
        2>"$raw/callgrind-$name.log"
      # printf: mawk prints a sum above 2^31 as a float with 6 digits.
      count="$(awk '/Collected :/ { s += $NF } END { printf "%.0f", s }' "$raw/callgrind-$name.log")"
      json+=", \"${name}_instructions\": $count"
    done
  else
    say "COUNT_COMPILE=1 but valgrind is not installed: no instruction counts"
  fi
fi
json+=", \"atomic_pp_bytes\": $(pp_bytes atomic)"
json+=", \"header_pp_bytes\": $(pp_bytes failpoint/failpoint.hpp)"
json+=", \"typical_pp_bytes\": $("${cxx[@]}" -E "$tu/typical.cpp" | wc -c)"
json+=", \"typical_header_pp_bytes\": $("${cxx[@]}" -E "$tu/typical_header.cpp" | wc -c)}"
echo "$json" >"$out"

# A summary on stderr for a run on its own (bench/report.cpp makes the table rows).
last="${counts[-1]}"
say "$(awk -v a="${best_ms[typical_header]}" -v b="${best_ms[typical_sites$last]}" -v n="$last" \
  'BEGIN { printf "CPU time: %.2f ms per site (0 and %d sites: %d and %d ms)", (b - a) / n, n, a, b }')"
value() { grep -o "\"$1\": [0-9]*" "$out" | grep -o '[0-9]*$'; }
say "$(awk -v a="${best_ms[typical_plain$last]}" -v b="${best_ms[typical_sites$last]}" -v n="$last" \
  'BEGIN { printf "CPU time: %.2f ms per site net of the same functions with a plain load", (b - a) / n }')"
if [[ "$json" == *typical_sites${counted}_instructions* ]]; then
  say "$(awk -v z="$(value typical_header_instructions)" -v a="$(value typical_plain${counted}_instructions)" \
    -v b="$(value typical_sites${counted}_instructions)" -v n="$counted" -v ms="${best_ms[typical_header]}" 'BEGIN {
    rate = z / ms
    printf "instructions (%d sites): %.2f M per site net = %.2f ms, %.2f M with its function = %.2f ms (%.2f M instructions per ms)",
      n, (b - a) / n / 1e6, (b - a) / n / rate, (b - z) / n / 1e6, (b - z) / n / rate, rate / 1e6 }')"
fi
b0="$(grep -o '"typical_header_object_bytes": [0-9]*' "$out" | grep -o '[0-9]*$')"
b1="$(grep -o "\"typical_sites${last}_object_bytes\": [0-9]*" "$out" | grep -o '[0-9]*$')"
bp="$(value typical_plain${last}_object_bytes)"
say "object code: $(( (b1 - bp) / last )) bytes of text + data per site net, $(( (b1 - b0) / last )) with its function (0, $last plain and $last sites: $b0, $bp and $b1)"
