// test/fuzz/terms_fuzzer.cpp: libFuzzer target for the term parser (runtime/terms.cpp).
//
// Properties checked on every input:
// - parse_terms never crashes, hangs or reads out of bounds; it returns a chain or an error.
// - An error's position lies within the input (or at its end) and its message names the input.
// - An accepted chain respects the limits (max_terms, max_terms_length), its source is the input
//   trimmed of blanks, and parsing the source again gives the same chain (canonical round trip).
// - parse_duration never crashes and never returns a negative duration.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "property.hpp"
#include "runtime/terms.hpp"

namespace {

namespace ri = failpoint::runtime_internal;
using ri::parsed_terms;
using ri::term;

using failpoint_fuzz::check;
using failpoint_fuzz::property_failed;

bool same_term(const term& a, const term& b) {
  return a.act == b.act && a.count == b.count && a.percent == b.percent &&
         a.val.kind == b.val.kind && a.val.integer == b.val.integer &&
         a.val.integer == b.val.integer && a.text == b.text && a.duration == b.duration;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto d = ri::parse_duration(input))
    check(d->count() >= 0, "parse_duration returned a negative duration");

  auto result = ri::parse_terms(input);
  if (!result.ok()) {
    const ri::error& e = result.failure();
    check(e.position <= input.size(), "error position past the end of the input");
    check(e.message.rfind("in \"", 0) == 0, "error message does not quote input");
    return 0;
  }
  const parsed_terms& parsed = result.value();
  check(!parsed.terms.empty(), "accepted an empty chain");
  check(parsed.terms.size() <= ri::max_terms, "accepted more than max_terms");
  check(size <= ri::max_terms_length, "accepted more than max_terms_length");
  check(input.find(parsed.source) != std::string_view::npos, "source is not part of the input");
  for (const term& t : parsed.terms) {
    check(!t.count || *t.count >= 1, "accepted a count of 0");
    check(!t.percent || (*t.percent >= 0.0 && *t.percent <= 100.0), "probability out of range");
    check(t.duration.count() >= 0, "negative duration");
    if (t.val.kind == ri::value_kind::string)
      check(t.val.text == t.text.c_str() && t.val.size == t.text.size(), "dangling value text");
  }

  // The canonical source parses again to the same chain.
  auto reparsed = ri::parse_terms(parsed.source);
  if (!reparsed.ok())
    property_failed("the source of an accepted chain does not parse");
  const parsed_terms& again = reparsed.value();
  check(again.source == parsed.source, "source changes on a second parse");
  check(again.terms.size() == parsed.terms.size(), "term count changes on a second parse");
  for (std::size_t i = 0; i < again.terms.size(); ++i)
    check(same_term(again.terms[i], parsed.terms[i]), "a term changes on a second parse");
  return 0;
}
