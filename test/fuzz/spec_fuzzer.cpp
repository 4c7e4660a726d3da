// test/fuzz/spec_fuzzer.cpp: libFuzzer target for FAILPOINTS specifications: the splitter, the
// all-or-nothing apply() of the registry, and evaluation of what was applied.
//
// The input is a FAILPOINTS value. Properties checked on every input:
// - parse_spec and apply never crash; they return or throw config_error / unknown_failpoint.
// - parse_spec accepts exactly what apply(spec, keep_unknown = true) accepts, but for a
//   `callback` term without a function set and a value that fits no site's type, which only
//   apply rejects (they depend on the registry, not on the text).
// - apply is all-or-nothing: when it throws, no failpoint's terms changed.
// - After a successful apply, status() of each registered name shows the trimmed terms given
//   (or none for an empty entry), and hitting the sites does not crash.
// Terms that would end or block the fuzzing process (panic, break, pause, sleep, delay,
// callback, print) are applied but their sites are not hit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "property.hpp"

namespace {

using failpoint_fuzz::check;
using failpoint_fuzz::property_failed;

// Sites of every value kind, with short names the seed corpus uses.
int hit_all() {
  int fired = 0;
  if (FAILPOINT("a"))
    ++fired;
  if (auto fp = FAILPOINT_VALUE("b", int))
    fired += *fp != 0;
  if (auto fp = FAILPOINT_VALUE("c", std::string))
    fired += !(*fp).empty();
  if (auto fp = FAILPOINT_VALUE("d", bool))
    fired += *fp;
  if (auto fp = FAILPOINT_VALUE("e/f", std::uint8_t))
    fired += *fp;
  return fired;
}

const char* const names[] = {"a", "b", "c", "d", "e/f"};

std::map<std::string, std::string> terms_now() {
  std::map<std::string, std::string> out;
  for (const char* n : names)
    out[n] = failpoint::status(n)->terms;
  return out;
}

bool safe_to_hit(const std::string& terms) {
  for (const char* a : {"panic", "break", "pause", "sleep", "delay", "callback", "print"}) {
    if (terms.find(a) != std::string::npos)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  failpoint::disable_all();

  bool parses = true;
  std::vector<std::pair<std::string, std::string>> entries;
  try {
    entries = failpoint::parse_spec(spec);
  } catch (const failpoint::config_error& e) {
    check(e.position() <= spec.size(), "error position past the end of the spec");
    parses = false;
  }

  // A known state before apply, to check that a rejected spec changes nothing.
  failpoint::enable("b", "return(7)");
  const auto before = terms_now();
  bool applied = true;
  bool registry_check = false;  // apply also checks callbacks and the sites' types
  try {
    failpoint::apply(spec, true);
  } catch (const failpoint::config_error& e) {
    applied = false;
    const std::string_view what = e.what();
    registry_check = what.find("no callback is set") != std::string_view::npos ||
                     what.find("does not fit failpoint") != std::string_view::npos;
  } catch (const failpoint::unknown_failpoint&) {
    property_failed("apply with keep_unknown threw unknown_failpoint");
  }
  check(parses == applied || (parses && registry_check), "parse_spec and apply disagree");
  if (!applied) {
    check(terms_now() == before, "a rejected spec changed a failpoint");
    return 0;
  }

  bool hit = true;
  for (const auto& [name, terms] : entries) {
    check(!name.empty(), "accepted an empty name");
    if (auto st = failpoint::status(name)) {
      check(st->terms == terms, "status does not show the applied terms");
      if (!safe_to_hit(terms))
        hit = false;
    }
  }
  if (hit) {
    for (int i = 0; i < 3; ++i) {
      try {
        hit_all();
      } catch (const failpoint::injected_error&) {
      }
    }
  }
  failpoint::disable_all();
  return 0;
}
