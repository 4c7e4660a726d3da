// The term language: tables of valid inputs with their parse, and invalid inputs with the
// position and the reason they must report.
#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "runtime/terms.hpp"

using failpoint::config_error;
using failpoint::detail::action;
using failpoint::detail::parse_terms;
using failpoint::detail::value_kind;
using namespace std::chrono_literals;

namespace {

struct valid_case {
  const char* input;
  std::size_t terms;
  action first;
};

}  // namespace

TEST_CASE("every action parses, alone and with its value forms", "[parser]") {
  const valid_case cases[] = {
      {"off", 1, action::off},
      {"return", 1, action::return_},
      {"return()", 1, action::return_},
      {"return(1)", 1, action::return_},
      {"return(-9223372036854775808)", 1, action::return_},
      {"return(+42)", 1, action::return_},
      {"return(true)", 1, action::return_},
      {"return(\"hello\")", 1, action::return_},
      {"sleep(100)", 1, action::sleep},
      {"sleep(\"150ms\")", 1, action::sleep},
      {"panic", 1, action::panic},
      {"panic(\"boom\")", 1, action::panic},
      {"break", 1, action::break_},
      {"print", 1, action::print},
      {"print(\"hi\")", 1, action::print},
      {"pause", 1, action::pause},
      {"yield", 1, action::yield},
      {"delay(5)", 1, action::delay},
      {"delay(\"2us\")", 1, action::delay},
      {"throw", 1, action::throw_},
      {"throw(\"disk full\")", 1, action::throw_},
      {"callback", 1, action::callback},
      {"  return(1)  ", 1, action::return_},
      {"2*off->1*return(true)", 2, action::off},
      {"50%return(1) -> off", 2, action::return_},
      {"3 * return ( 1 )", 1, action::return_},
      {"10%2*return(\"a\")->sleep(1)->panic", 3, action::return_},
  };
  for (const auto& c : cases) {
    INFO(c.input);
    auto parsed = parse_terms(c.input);
    CHECK(parsed.terms.size() == c.terms);
    CHECK(parsed.terms.front().act == c.first);
  }
}

TEST_CASE("values are decoded exactly", "[parser]") {
  auto p = parse_terms(R"(return("a\"b\\c\nd\te\rf\x41\x7a;="))");
  REQUIRE(p.terms[0].val.kind == value_kind::string);
  CHECK(std::string(p.terms[0].val.text, p.terms[0].val.size) == "a\"b\\c\nd\te\rfAz;=");
  CHECK(parse_terms("return(-12)").terms[0].val.integer == -12);
  CHECK(parse_terms("return(9223372036854775807)").terms[0].val.integer == INT64_MAX);
  CHECK(parse_terms("return(-9223372036854775808)").terms[0].val.integer == INT64_MIN);
  CHECK(parse_terms("return(false)").terms[0].val.kind == value_kind::boolean);
  CHECK(parse_terms("return(false)").terms[0].val.integer == 0);
  CHECK(parse_terms("return(true)").terms[0].val.integer == 1);
  CHECK(parse_terms("return").terms[0].val.kind == value_kind::none);
  CHECK(parse_terms("return(\"\")").terms[0].val.size == 0);
}

TEST_CASE("counts and probabilities are read as written", "[parser]") {
  auto p = parse_terms("3*return->50%off->12.5%7*print");
  CHECK(*p.terms[0].count == 3);
  CHECK_FALSE(p.terms[0].percent);
  CHECK(*p.terms[1].percent == 50.0);
  CHECK(*p.terms[2].percent == 12.5);
  CHECK(*p.terms[2].count == 7);
  CHECK(*parse_terms("50.0%return(1)").terms[0].percent == 50.0);
  CHECK(*parse_terms("0%return").terms[0].percent == 0.0);
  CHECK(*parse_terms("100%return").terms[0].percent == 100.0);
}

TEST_CASE("durations: integers in the action's unit, strings with units", "[parser]") {
  CHECK(parse_terms("sleep(100)").terms[0].duration == 100ms);
  CHECK(parse_terms("sleep(\"150ms\")").terms[0].duration == 150ms);
  CHECK(parse_terms("sleep(\"1.5s\")").terms[0].duration == 1500ms);
  CHECK(parse_terms("sleep(\"1m30s\")").terms[0].duration == 90s);
  CHECK(parse_terms("sleep(\"2h\")").terms[0].duration == 2h);
  CHECK(parse_terms("sleep(\"10ns\")").terms[0].duration == 10ns);
  CHECK(parse_terms("delay(5)").terms[0].duration == 5us);
  CHECK(parse_terms("delay(\"3us\")").terms[0].duration == 3us);
}

TEST_CASE("the source is kept, trimmed, for echoing back", "[parser]") {
  CHECK(parse_terms("  2*off -> return(1)\n").source == "2*off -> return(1)");
}

namespace {
struct invalid_case {
  const char* input;
  std::size_t position;
  const char* reason;  // a part of the message
};
}  // namespace

TEST_CASE("malformed terms name the position and what was expected", "[parser]") {
  const invalid_case cases[] = {
      // gofail panics or misbehaves on these four.
      {"return(\"abc\"", 12, "missing \")\""},
      {"return(t)", 7, "unknown value \"t\""},
      {"3*", 2, "expected one of off, return"},
      {"return(1", 8, "missing \")\""},
      // and the rest of the grammar
      {"", 0, "empty terms"},
      {"   ", 3, "empty terms"},
      {"retrun(1)", 0, "unknown action \"retrun\""},
      {"Return", 0, "expected one of"},
      {"return(1)x", 9, "expected \"->\""},
      {"return(1)->", 11, "nothing after \"->\""},
      {"->return", 0, "expected one of"},
      {"3", 1, "is not followed by"},
      {"3x", 1, "expected \"*\" (count) or \"%\""},
      {"0*return", 0, "count of 0"},
      {"1.5*return", 0, "not a whole number"},
      {"2*3*return", 2, "a second count"},
      {"101%return", 0, "out of range"},
      {"1.2.3%return", 3, "a second \".\""},
      {"return(\"a\\q\")", 9, "unknown escape"},
      {"return(\"\\x4\")", 8, "two hex digits"},
      {"return(\"abc)", 7, "unclosed string"},
      {"return(99999999999999999999)", 7, "does not fit in 64 bits"},
      {"return(-9223372036854775809)", 7, "does not fit in 64 bits"},
      {"return(1,2)", 8, "expected \")\""},
      {"off(1)", 4, "off takes no value"},
      {"pause(true)", 6, "pause takes no value"},
      {"panic(1)", 6, "optional \"message\""},
      {"sleep", 0, "sleep needs a duration"},
      {"sleep()", 6, "sleep needs a duration"},
      {"sleep(-1)", 6, "cannot be negative"},
      {"sleep(100ms)", 9, "need double quotes"},
      {"sleep(\"fast\")", 6, "malformed duration"},
      {"sleep(\"10 ms\")", 6, "malformed duration"},
      {"sleep(true)", 6, "not true/false"},
      {"delay", 0, "delay needs a duration"},
      {"return(1)->->off", 11, "expected one of"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.input);
    try {
      parse_terms(c.input);
      FAIL("no error for " << c.input);
    } catch (const config_error& e) {
      INFO("message: " << e.what());
      CHECK(e.position() == c.position);
      CHECK_THAT(e.what(), Catch::Contains(c.reason));
      CHECK_THAT(e.what(), Catch::Contains("at byte " + std::to_string(c.position)));
    }
  }
}

TEST_CASE("limits on chain length and input size are enforced", "[parser]") {
  std::string chain = "off";
  for (int i = 0; i < 64; ++i)
    chain += "->off";
  CHECK_THROWS_WITH(parse_terms(chain), Catch::Contains("more than 64 terms"));
  CHECK_THROWS_WITH(parse_terms(std::string(70000, ' ') + "off"),
                    Catch::Contains("longer than 65536 bytes"));
}

TEST_CASE("error messages escape control characters of the input", "[parser]") {
  CHECK_THROWS_WITH(parse_terms("ret\x01rn"), Catch::Contains("\\x01"));
}

TEST_CASE("FAILPOINTS specifications split on semicolons and newlines outside quotes",
          "[parser][env]") {
  using failpoint::detail::split_spec;
  auto s = split_spec(" a = return(1) ; b/c=return(\"x;y=z\\\"\")\n\nd=;e=off; ");
  REQUIRE(s.size() == 4);
  CHECK(s[0] == std::make_pair(std::string("a"), std::string("return(1)")));
  CHECK(s[1] == std::make_pair(std::string("b/c"), std::string("return(\"x;y=z\\\"\")")));
  CHECK(s[2] == std::make_pair(std::string("d"), std::string("")));
  CHECK(s[3] == std::make_pair(std::string("e"), std::string("off")));
  CHECK(split_spec("").empty());
  CHECK(split_spec(" ; ;\n").empty());
  CHECK_THROWS_WITH(split_spec("a=off;b"), Catch::Contains("entry \"b\" has no \"=\""));
  CHECK_THROWS_WITH(split_spec("=off"), Catch::Contains("empty failpoint name"));
  CHECK_THROWS_WITH(split_spec("a=return(\"x;"), Catch::Contains("unclosed string"));
  CHECK_THROWS_WITH(split_spec("a=off;a=return"), Catch::Contains("given twice"));
}

TEST_CASE("parse_spec checks every entry's terms and names the failpoint", "[parser][env]") {
  CHECK(failpoint::parse_spec("a=return(1);b=off").size() == 2);
  CHECK_THROWS_WITH(failpoint::parse_spec("a=return(1);b=sleep(x)"),
                    Catch::Contains("failpoint \"b\"") && Catch::Contains("at byte 6"));
  CHECK_NOTHROW(failpoint::validate_terms("1*return(true)"));
  CHECK_THROWS_AS(failpoint::validate_terms("1*"), config_error);
}
