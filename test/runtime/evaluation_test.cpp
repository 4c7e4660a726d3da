// Evaluation: what each action does at a real site, counts, chains, exhaustion, mismatches,
// seeded probabilities, and the C++ control API around them.
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/error.hpp"
#include "failpoint/failpoint.hpp"

using namespace std::chrono_literals;

namespace {

int read_int() {
  if (auto fp = FAILPOINT_VALUE("eval.int", int))
    return *fp;
  return -1;
}

std::string read_string() {
  if (auto fp = FAILPOINT_VALUE("eval.string", std::string))
    return *fp;
  return "default";
}

std::string_view read_view() {
  static std::string copy;
  if (auto fp = FAILPOINT_VALUE("eval.view", std::string_view)) {
    copy = std::string(*fp);
    return copy;
  }
  return "default";
}

std::uint8_t read_byte() {
  if (auto fp = FAILPOINT_VALUE("eval.byte", std::uint8_t))
    return *fp;
  return 0;
}

std::int64_t read_i64() {
  if (auto fp = FAILPOINT_VALUE("eval.i64", std::int64_t))
    return *fp;
  return 0;
}

double read_double() {
  if (auto fp = FAILPOINT_VALUE("eval.double", double))
    return *fp;
  return 0.5;
}

enum class color { red = 1, green = 2 };
color read_color() {
  if (auto fp = FAILPOINT_VALUE("eval.enum", color))
    return *fp;
  return color::red;
}

bool save() {
  if (auto fp = FAILPOINT_VALUE("eval.bool", bool))
    return *fp;
  return true;
}

bool fired_void() {
  if (FAILPOINT("eval.void"))
    return true;
  return false;
}

failpoint::detail::site& exhaust_site() {
  return FAILPOINT_DETAIL_SITE("eval.exhaust", "");
}
bool hit_exhaust() {
  return static_cast<bool>(failpoint::detail::evaluate_as<void>(exhaust_site()));
}

bool roll_site() {
  return static_cast<bool>(FAILPOINT("eval.roll"));
}

std::uint64_t count_of(const char* name) {
  return failpoint::status(name)->count;
}

}  // namespace

TEST_CASE("an unconfigured failpoint does nothing", "[eval]") {
  CHECK(read_int() == -1);
  CHECK(save());
  CHECK_FALSE(fired_void());
  auto s = failpoint::status("eval.int");
  REQUIRE(s);
  CHECK_FALSE(s->active);
  CHECK(s->terms.empty());
  CHECK(s->count == 0);
  CHECK(s->type == "int");
}

TEST_CASE("return(v) runs the body with the value bound, for every value type", "[eval]") {
  failpoint::enable("eval.int", "return(42)");
  CHECK(read_int() == 42);
  failpoint::enable("eval.string", R"(return("disk \"full\"\n"))");
  CHECK(read_string() == "disk \"full\"\n");
  failpoint::enable("eval.view", R"(return("a\x00b"))");
  CHECK(read_view() == std::string_view("a\0b", 3));
  failpoint::enable("eval.bool", "return(false)");
  CHECK_FALSE(save());
  failpoint::enable("eval.byte", "return(255)");
  CHECK(read_byte() == 255);
  failpoint::enable("eval.i64", "return(-9223372036854775808)");
  CHECK(read_i64() == INT64_MIN);
  failpoint::enable("eval.double", "return(3)");
  CHECK(read_double() == 3.0);
  failpoint::enable("eval.enum", "return(2)");
  CHECK(read_color() == color::green);
  failpoint::enable("eval.void", "return");
  CHECK(fired_void());
  failpoint::enable("eval.void", "return()");
  CHECK(fired_void());
  failpoint::disable_all();
}

TEST_CASE("a string value outlives its configuration: a hit never dangles", "[eval]") {
  failpoint::enable("eval.view", R"(return("first value, longer than a short string"))");
  auto view_hit = FAILPOINT_VALUE("eval.view", std::string_view);
  REQUIRE(view_hit);
  failpoint::enable("eval.string", R"(return("second value, longer than a short string"))");
  auto string_hit = FAILPOINT_VALUE("eval.string", std::string);
  auto text_hit = FAILPOINT_VALUE("eval.string", const char*);
  REQUIRE(string_hit);
  REQUIRE(text_hit);
  // Replaced, then disabled: the configurations that held the values are gone.
  failpoint::enable("eval.view", R"(return("other"))");
  failpoint::enable("eval.string", R"(return("other"))");
  failpoint::disable_all();
  CHECK(*view_hit == "first value, longer than a short string");
  CHECK(*string_hit == "second value, longer than a short string");
  CHECK(std::string(*text_hit) == "second value, longer than a short string");
}

TEST_CASE("off runs, counts, and does not fire", "[eval]") {
  failpoint::enable("eval.int", "off");
  CHECK(read_int() == -1);
  CHECK(read_int() == -1);
  CHECK(count_of("eval.int") == 2);
  CHECK(failpoint::status("eval.int")->active);
}

TEST_CASE("2*off->1*return(true) skips two hits, fires once, then is used up", "[eval]") {
  failpoint::enable("eval.bool", "2*off->1*return(false)");
  CHECK(save());
  CHECK(save());
  CHECK_FALSE(save());
  CHECK(save());
  auto s = failpoint::status("eval.bool");
  CHECK(s->count == 3);
  CHECK_FALSE(s->active);
  CHECK(s->terms == "2*off->1*return(false)");
}

TEST_CASE("a used-up failpoint returns to the zero-cost path by itself", "[eval]") {
  failpoint::enable("eval.exhaust", "2*return");
  CHECK(exhaust_site().is_armed());
  CHECK(hit_exhaust());
  CHECK(exhaust_site().is_armed());
  CHECK(hit_exhaust());
  CHECK_FALSE(exhaust_site().is_armed());
  CHECK_FALSE(hit_exhaust());
  CHECK(count_of("eval.exhaust") == 2);
  failpoint::enable("eval.exhaust", "return");  // re-enabling arms it again, count restarts
  CHECK(exhaust_site().is_armed());
  CHECK(hit_exhaust());
  CHECK(count_of("eval.exhaust") == 1);
  failpoint::disable("eval.exhaust");
  CHECK_FALSE(exhaust_site().is_armed());
}

TEST_CASE("the first term that runs ends the evaluation; later terms take over", "[eval]") {
  failpoint::enable("eval.int", "1*return(1)->2*return(2)->return(3)");
  std::vector<int> seen;
  for (int i = 0; i < 5; ++i)
    seen.push_back(read_int());
  CHECK(seen == std::vector<int>{1, 2, 2, 3, 3});
}

TEST_CASE("a count is used only when its term runs", "[eval]") {
  failpoint::enable("eval.int", "0%1*return(1)->return(2)");
  for (int i = 0; i < 10; ++i)
    CHECK(read_int() == 2);
  failpoint::enable("eval.int", "100%1*return(1)->return(2)");
  CHECK(read_int() == 1);
  CHECK(read_int() == 2);
}

TEST_CASE("when no term runs the failpoint does nothing and counts nothing", "[eval]") {
  failpoint::enable("eval.int", "0%return(1)->0%off");
  CHECK(read_int() == -1);
  CHECK(count_of("eval.int") == 0);
  CHECK(failpoint::status("eval.int")->active);
}

TEST_CASE("sleep delays the site and does not run the body", "[eval]") {
  failpoint::enable("eval.int", "sleep(30)");
  auto start = std::chrono::steady_clock::now();
  CHECK(read_int() == -1);
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  failpoint::enable("eval.int", "sleep(\"20ms\")");
  start = std::chrono::steady_clock::now();
  CHECK(read_int() == -1);
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);
  failpoint::enable("eval.int", "delay(\"5ms\")");
  start = std::chrono::steady_clock::now();
  CHECK(read_int() == -1);
  CHECK(std::chrono::steady_clock::now() - start >= 5ms);
  failpoint::enable("eval.int", "yield");
  CHECK(read_int() == -1);
  CHECK(count_of("eval.int") == 1);
}

TEST_CASE("throw raises failpoint::injected_error with the name and message", "[eval]") {
  failpoint::enable("eval.int", "throw(\"disk full\")");
  try {
    read_int();
    FAIL("no exception");
  } catch (const failpoint::injected_error& e) {
    CHECK(e.name() == "eval.int");
    CHECK(e.message() == "disk full");
    CHECK(std::string(e.what()) == "failpoint throw: eval.int: disk full");
  }
  failpoint::enable("eval.int", "throw");
  CHECK_THROWS_WITH(read_int(), "failpoint throw: eval.int");
  CHECK_THROWS_AS(read_int(), std::runtime_error);
}

TEST_CASE("callback runs the registered function at the site", "[eval]") {
  failpoint::disable("eval.int");  // whatever an earlier case in this process left enabled
  CHECK_THROWS_WITH(failpoint::enable("eval.int", "callback"),
                    Catch::Contains("no callback is set for failpoint \"eval.int\""));
  // The position is the term's, not the first "callback" in the text.
  CHECK_THROWS_WITH(failpoint::enable("eval.string", "return(\"callback\")->callback"),
                    Catch::Contains("at byte 20: no callback is set"));
  CHECK_FALSE(failpoint::status("eval.int")->active);
  int calls = 0;
  failpoint::set_callback("eval.int", [&] { ++calls; });
  failpoint::enable("eval.int", "2*callback");
  CHECK(read_int() == -1);
  CHECK(read_int() == -1);
  CHECK(read_int() == -1);
  CHECK(calls == 2);
  failpoint::set_callback("eval.int", nullptr);
}

TEST_CASE("a value that cannot fit the type is refused when set, naming failpoint, type, value",
          "[eval][mismatch][types]") {
  struct refused {
    const char* name;
    const char* terms;
    const char* type;
    const char* value;
  };
  const refused cases[] = {
      {"eval.int", "return(\"x\")", "type int", "value \"x\""},
      {"eval.int", "return(\"10\")", "type int", "value \"10\""},
      {"eval.int", "return", "type int", "value no value"},
      {"eval.int", "2*off->return(true)", "type int", "value true"},
      {"eval.byte", "return(256)", "type std::uint8_t", "value 256"},
      {"eval.byte", "return(-1)", "type std::uint8_t", "value -1"},
      {"eval.bool", "return(1)", "type bool", "value 1"},
      {"eval.bool", "return", "type bool", "value no value"},
      {"eval.void", "return(1)", "type (no value)", "value 1"},
      {"eval.string", "return(1)", "type std::string", "value 1"},
      {"eval.view", "return(false)", "type std::string_view", "value false"},
  };
  for (const refused& c : cases) {
    INFO(c.name << " = " << c.terms);
    failpoint::disable(c.name);
    CHECK_THROWS_AS(failpoint::enable(c.name, c.terms), failpoint::config_error);
    CHECK_THROWS_WITH(failpoint::enable(c.name, c.terms),
                      Catch::Contains(std::string("failpoint \"") + c.name + "\"") &&
                          Catch::Contains(c.type) && Catch::Contains(c.value) &&
                          Catch::Contains("evaluation_test.cpp:"));
    CHECK(failpoint::status(c.name)->terms.empty());  // nothing changed
  }
  // The values that fit are accepted.
  CHECK_NOTHROW(failpoint::enable("eval.byte", "return(255)"));
  CHECK_NOTHROW(failpoint::enable("eval.bool", "return(false)"));
  CHECK_NOTHROW(failpoint::enable("eval.void", "return()"));
  CHECK_NOTHROW(failpoint::enable("eval.double", "return(3)"));
  CHECK_NOTHROW(failpoint::enable("eval.string", "return(`raw`)"));
  CHECK(read_string() == "raw");
  // apply() is all-or-nothing: one misfit entry changes nothing.
  failpoint::enable("eval.int", "return(1)");
  CHECK_THROWS_WITH(failpoint::apply("eval.int=return(2);eval.bool=return(1)"),
                    Catch::Contains("failpoint \"eval.bool\"") && Catch::Contains("type bool"));
  CHECK(failpoint::status("eval.int")->terms == "return(1)");
  failpoint::disable_all();
}

TEST_CASE("a value for a type the runtime cannot check is counted at the site, not run",
          "[eval][mismatch][types]") {
  // `color` is an enum: only the site knows it takes integers.
  failpoint::enable("eval.enum", "return(true)");
  CHECK(read_color() == color::red);
  CHECK(read_color() == color::red);
  auto s = failpoint::status("eval.enum");
  CHECK(s->mismatches == 2);
  CHECK(s->count == 2);
  failpoint::enable("eval.enum", "return(2)");
  CHECK(read_color() == color::green);
  CHECK(failpoint::status("eval.enum")->mismatches == 0);  // reset by enable
  failpoint::disable_all();
}

TEST_CASE("probabilities follow the seed: reproducible and statistically sound",
          "[eval][probability]") {
  auto sample = [](std::uint64_t seed, int n) {
    failpoint::set_seed(seed);
    failpoint::enable("eval.roll", "50%return");
    std::vector<bool> out;
    for (int i = 0; i < n; ++i)
      out.push_back(roll_site());
    return out;
  };
  auto a = sample(42, 200);
  auto b = sample(42, 200);
  auto c = sample(43, 200);
  CHECK(a == b);
  CHECK(a != c);

  failpoint::set_seed(7);
  failpoint::enable("eval.roll", "25%return");
  int fired = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i)
    fired += roll_site() ? 1 : 0;
  // Binomial(20000, 0.25): mean 5000, sd ~61; +-6 sd never fails by chance.
  CHECK(fired > 5000 - 370);
  CHECK(fired < 5000 + 370);
  CHECK(count_of("eval.roll") == static_cast<std::uint64_t>(fired));

  failpoint::enable("eval.roll", "12.5%return");
  fired = 0;
  for (int i = 0; i < n; ++i)
    fired += roll_site() ? 1 : 0;
  CHECK(fired > 2500 - 280);  // sd ~47
  CHECK(fired < 2500 + 280);
}

TEST_CASE("a seeded roll sequence is the same in every thread, however threads interleave",
          "[eval][probability]") {
  constexpr int n = 400;
  auto sample = [] {
    std::vector<bool> out;
    for (int i = 0; i < n; ++i)
      out.push_back(roll_site());
    return out;
  };
  failpoint::set_seed(42);
  failpoint::enable("eval.roll", "50%return");
  const std::vector<bool> alone = sample();
  // The same configuration again: two threads hitting it at once each see that sequence, and
  // every fire is counted.
  failpoint::enable("eval.roll", "50%return");
  std::vector<bool> first, second;
  std::thread a([&] { first = sample(); });
  std::thread b([&] { second = sample(); });
  a.join();
  b.join();
  CHECK(first == alone);
  CHECK(second == alone);
  std::uint64_t fired = 0;
  for (bool f : alone)
    fired += f ? 2 : 0;
  CHECK(count_of("eval.roll") == fired);
  failpoint::disable_all();
}

TEST_CASE("enable rejects unknown names with suggestions and bad terms with positions",
          "[control]") {
  try {
    failpoint::enable("eval.itn", "return(1)");
    FAIL("no exception");
  } catch (const failpoint::unknown_failpoint& e) {
    CHECK(e.name() == "eval.itn");
    REQUIRE_FALSE(e.suggestions().empty());
    CHECK(e.suggestions().front() == "eval.int");
    CHECK_THAT(e.what(), Catch::Contains("did you mean \"eval.int\""));
  }
  failpoint::enable("eval.int", "return(5)");
  CHECK_THROWS_AS(failpoint::enable("eval.int", "return(5"), failpoint::config_error);
  CHECK(read_int() == 5);  // a rejected change changes nothing
  CHECK_FALSE(failpoint::disable("no.such.failpoint"));
  CHECK(failpoint::disable("eval.int"));
  CHECK(read_int() == -1);
}

TEST_CASE("the count resets on enable and stays readable after disable", "[control]") {
  failpoint::enable("eval.int", "return(1)");
  read_int();
  read_int();
  failpoint::disable("eval.int");
  read_int();
  auto s = failpoint::status("eval.int");
  CHECK(s->count == 2);
  CHECK(s->terms.empty());
  CHECK_FALSE(s->active);
  failpoint::enable("eval.int", "off");
  CHECK(count_of("eval.int") == 0);
}

TEST_CASE("apply is all-or-nothing and an empty entry disables", "[control]") {
  failpoint::enable("eval.string", "return(\"kept\")");
  CHECK_THROWS_AS(failpoint::apply("eval.int=return(1);eval.bool=sleep(x)"),
                  failpoint::config_error);
  CHECK_THROWS_AS(failpoint::apply("eval.int=return(1);eval.nope=off"),
                  failpoint::unknown_failpoint);
  CHECK(read_int() == -1);
  CHECK(read_string() == "kept");
  failpoint::apply("eval.int=return(1); eval.string=\n eval.bool=return(false)");
  CHECK(read_int() == 1);
  CHECK(read_string() == "default");
  CHECK_FALSE(save());
  failpoint::disable_all();
  CHECK(read_int() == -1);
  CHECK(save());
}

TEST_CASE("scoped enables for a scope and restores the previous terms", "[control]") {
  {
    failpoint::scoped guard("eval.int", "return(7)");
    CHECK(read_int() == 7);
  }
  CHECK(read_int() == -1);
  CHECK_FALSE(failpoint::status("eval.int")->active);
  failpoint::enable("eval.int", "return(1)");
  {
    failpoint::scoped guard("eval.int", "return(2)");
    CHECK(read_int() == 2);
  }
  CHECK(read_int() == 1);
  CHECK_THROWS_AS(failpoint::scoped("eval.unknown", "off"), failpoint::unknown_failpoint);
  failpoint::disable_all();
}
