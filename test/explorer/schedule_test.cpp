// The explorer's pure functions (explorer/schedule.hpp): schedules as FAILPOINTS strings, which
// faults can join a schedule, which hits get faults, fault menus. Tables of inputs and outputs.
#include "explorer/schedule.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "test/explorer/support.hpp"

using namespace failpoint::explorer;
using explorer_test::spec;

TEST_CASE("a schedule's FAILPOINTS string counts hits with off and keeps the failpoint armed",
          "[explorer][schedule]") {
  const fault_mode once = fault_mode::once, from = fault_mode::from;
  struct row {
    schedule s;
    std::string spec;
  };
  const row rows[] = {
      {{{"a", 1, "return(true)", once}}, "a=1*return(true)->off"},
      {{{"a", 3, "return(true)", once}}, "a=2*off->1*return(true)->off"},
      {{{"a", 1, "panic", from}}, "a=panic"},
      {{{"a", 4, "return(-1)", from}}, "a=3*off->return(-1)"},
      {{{"a", 2, "return", once}, {"a", 5, "sleep(10)", from}},
       "a=1*off->1*return->2*off->sleep(10)"},
      {{{"b", 1, "return(\"x;y\")", once}, {"a", 2, "return(0)", once}},
       "a=1*off->1*return(0)->off;b=1*return(\"x;y\")->off"},
  };
  for (const row& r : rows) {
    schedule s = r.s;
    canonicalize(s);
    CHECK(failpoints_spec(s) == spec(r.spec));
    // Every string is one the runtime accepts, entry by entry.
    for (const auto& [name, terms] : failpoint::parse_spec(spec(r.spec)))
      CHECK_NOTHROW(failpoint::validate_terms(terms));
  }
}

TEST_CASE("a fault joins a schedule unless it repeats a hit or follows a from fault",
          "[explorer][schedule]") {
  const schedule s = {{"a", 3, "return(true)", fault_mode::once}};
  CHECK(can_add(s, {"b", 3, "return(true)", fault_mode::once}));
  CHECK(can_add(s, {"a", 5, "return(false)", fault_mode::from}));
  CHECK_FALSE(can_add(s, {"a", 3, "return(false)", fault_mode::once}));
  CHECK_FALSE(can_add(s, {"a", 1, "return(false)", fault_mode::from}));
  const schedule f = {{"a", 3, "return(true)", fault_mode::from}};
  CHECK_FALSE(can_add(f, {"a", 4, "return(false)", fault_mode::once}));
  CHECK(can_add(f, {"a", 2, "return(false)", fault_mode::once}));
}

TEST_CASE("a fault fired when the trace shows it injected at its hit, or later for a from fault",
          "[explorer][schedule]") {
  auto hit = [](const char* name, std::uint64_t k, bool injected) {
    failpoint::traced_hit h;
    h.name = name;
    h.hit = k;
    h.injected = injected;
    h.action = injected ? "return" : "off";
    return h;
  };
  failpoint::process_trace t;
  // Hit 1 of "a" was taken by a thread that never wrote its record (the process crashed first).
  t.hits = {hit("a", 2, true), hit("a", 3, true), hit("b", 1, false), hit("b", 2, true)};
  const std::vector<failpoint::process_trace> trace = {t};
  CHECK(fault_fired(trace, {"a", 1, "return(true)", fault_mode::from}));
  CHECK(fault_fired(trace, {"a", 2, "return(true)", fault_mode::once}));
  CHECK_FALSE(fault_fired(trace, {"a", 1, "return(true)", fault_mode::once}));
  CHECK_FALSE(fault_fired(trace, {"a", 4, "return(true)", fault_mode::from}));
  CHECK_FALSE(fault_fired(trace, {"b", 1, "return(true)", fault_mode::once}));  // ran `off`
  CHECK(fault_fired(trace, {"b", 1, "return(true)", fault_mode::from}));
  CHECK_FALSE(fault_fired(trace, {"c", 1, "return(true)", fault_mode::from}));
  CHECK_FALSE(fault_fired({}, {"a", 1, "return(true)", fault_mode::from}));
}

TEST_CASE("hits with faults: all up to 16, then the ends, powers of two and a seeded sample",
          "[explorer][schedule]") {
  CHECK(choose_hits(1, 7, "x") == std::vector<std::uint64_t>{1});
  CHECK(choose_hits(16, 7, "x").size() == 16);
  const auto many = choose_hits(1000, 7, "x");
  for (std::uint64_t k : {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 999, 1000})
    CHECK(std::find(many.begin(), many.end(), k) != many.end());
  CHECK(many.size() <= 12 + sampled_hits);
  CHECK(many.size() > 12);  // the sample adds hits (it could repeat one: not all four)
  CHECK(std::is_sorted(many.begin(), many.end()));
  CHECK(choose_hits(1000, 7, "x") == many);  // the same seed and name: the same hits
  CHECK(choose_hits(1000, 8, "x") != many);
}

TEST_CASE("a failpoint's faults come from its type, then the menu rules, then opt-ins",
          "[explorer][schedule]") {
  struct row {
    std::string type;
    std::vector<std::string> faults;
  };
  const row rows[] = {
      {"", {"return"}},
      {"bool", {"return(true)", "return(false)"}},
      {"int", {"return(0)", "return(-1)"}},
      {"long long", {"return(0)", "return(-1)"}},
      {"std::int64_t", {"return(0)", "return(-1)"}},
      {"std::size_t", {"return(0)"}},
      {"unsigned", {"return(0)"}},
      {"std::uint32_t", {"return(0)"}},
      {"std::string", {}},
      {"const char*", {}},
  };
  for (const row& r : rows) {
    INFO(r.type);
    CHECK(menu_for("n", r.type, {}) == r.faults);
  }
  menu_rules rules;
  rules.rules = {{"svc.Call*", {"return(\"refused\")", "return(\"503\")"}},
                 {"*", {"return(\"503\")"}}};
  rules.extra = {"panic"};
  CHECK(menu_for("svc.CallBar", "std::string", rules) ==
        std::vector<std::string>{"return(\"refused\")", "return(\"503\")", "panic"});
  CHECK(menu_for("other", "bool", rules) ==
        std::vector<std::string>{"return(true)", "return(false)", "return(\"503\")", "panic"});
}

TEST_CASE("a menu or opt-in term must be one term without count, probability or chain",
          "[explorer][schedule]") {
  for (const char* good : {"panic", "return(\"a*b->c%\")", "sleep(100)", "throw(\"x\")"})
    CHECK_NOTHROW(check_fault_term(good, "test"));
  for (const char* bad : {"2*panic", "50%panic", "return(1)->panic", "panik", "return(\"open"})
    CHECK_THROWS_WITH(check_fault_term(bad, "test"), Catch::StartsWith("test: "));
}
