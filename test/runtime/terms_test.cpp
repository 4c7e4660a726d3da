// The term language: tables of valid inputs with their parse, and invalid inputs with the
// position and the reason they must report.
#include "runtime/terms.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "runtime/types.hpp"

namespace ri = failpoint::runtime_internal;
using failpoint::config_error;
using ri::action;
using ri::value_kind;
using namespace std::chrono_literals;

namespace {

// The value of `r`, the result of reading `input`; fails the test on an error.
template <class T>
T value_of(ri::result<T> r, std::string_view input) {
  if (!r.ok())
    FAIL("\"" << input << "\" was refused: " << r.failure().message);
  return std::move(r).value();
}

// The error of `r`, the result of reading `input`; fails the test when it was accepted.
template <class T>
ri::error error_of(ri::result<T> r, std::string_view input) {
  if (r.ok())
    FAIL("no error for \"" << input << "\"");
  return std::move(r).failure();
}

ri::parsed_terms parse_ok(std::string_view input) {
  return value_of(ri::parse_terms(input), input);
}
ri::error parse_error(std::string_view input) {
  return error_of(ri::parse_terms(input), input);
}
std::vector<ri::spec_entry> split_ok(std::string_view spec) {
  return value_of(ri::split_spec(spec), spec);
}
std::string split_error(std::string_view spec) {
  return error_of(ri::split_spec(spec), spec).message;
}

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
    auto parsed = parse_ok(c.input);
    CHECK(parsed.terms.size() == c.terms);
    CHECK(parsed.terms.front().act == c.first);
  }
}

TEST_CASE("values are decoded exactly", "[parser]") {
  auto p = parse_ok(R"(return("a\"b\\c\nd\te\rf\x41\x7a;="))");
  REQUIRE(p.terms[0].val.kind == value_kind::string);
  CHECK(std::string(p.terms[0].val.text, p.terms[0].val.size) == "a\"b\\c\nd\te\rfAz;=");
  CHECK(parse_ok("return(-12)").terms[0].val.integer == -12);
  CHECK(parse_ok("return(9223372036854775807)").terms[0].val.integer == INT64_MAX);
  CHECK(parse_ok("return(-9223372036854775808)").terms[0].val.integer == INT64_MIN);
  CHECK(parse_ok("return(false)").terms[0].val.kind == value_kind::boolean);
  CHECK(parse_ok("return(false)").terms[0].val.integer == 0);
  CHECK(parse_ok("return(true)").terms[0].val.integer == 1);
  CHECK(parse_ok("return").terms[0].val.kind == value_kind::none);
  CHECK(parse_ok("return(\"\")").terms[0].val.size == 0);
}

TEST_CASE("counts and probabilities are read as written", "[parser]") {
  auto p = parse_ok("3*return->50%off->12.5%7*print");
  CHECK(*p.terms[0].count == 3);
  CHECK_FALSE(p.terms[0].percent);
  CHECK(*p.terms[1].percent == 50.0);
  CHECK(*p.terms[2].percent == 12.5);
  CHECK(*p.terms[2].count == 7);
  CHECK(*parse_ok("50.0%return(1)").terms[0].percent == 50.0);
  CHECK(*parse_ok("0%return").terms[0].percent == 0.0);
  CHECK(*parse_ok("100%return").terms[0].percent == 100.0);
}

TEST_CASE("durations: integers in the action's unit, strings with units", "[parser]") {
  CHECK(parse_ok("sleep(100)").terms[0].duration == 100ms);
  CHECK(parse_ok("sleep(\"150ms\")").terms[0].duration == 150ms);
  CHECK(parse_ok("sleep(\"1.5s\")").terms[0].duration == 1500ms);
  CHECK(parse_ok("sleep(\"1m30s\")").terms[0].duration == 90s);
  CHECK(parse_ok("sleep(\"2h\")").terms[0].duration == 2h);
  CHECK(parse_ok("sleep(\"10ns\")").terms[0].duration == 10ns);
  CHECK(parse_ok("delay(5)").terms[0].duration == 5us);
  CHECK(parse_ok("delay(\"3us\")").terms[0].duration == 3us);
}

TEST_CASE("the source is kept, trimmed, for echoing back", "[parser]") {
  CHECK(parse_ok("  2*off -> return(1)\n").source == "2*off -> return(1)");
  const auto p = parse_ok("  2*off -> return(\"callback\")->callback");
  CHECK(p.terms[0].action_offset == 2);
  CHECK(p.terms[1].action_offset == 9);
  CHECK(p.terms[2].action_offset == 29);
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
    const ri::error e = parse_error(c.input);
    INFO("message: " << e.message);
    CHECK(e.position == c.position);
    CHECK_THAT(e.message, Catch::Contains(c.reason));
    CHECK_THAT(e.message, Catch::Contains("at byte " + std::to_string(c.position)));
    // The public API throws the same error as config_error.
    CHECK_THROWS_WITH(failpoint::validate_terms(c.input), Catch::Contains(c.reason));
  }
}

TEST_CASE("limits on chain length and input size are enforced", "[parser]") {
  std::string chain = "off";
  for (int i = 0; i < 64; ++i)
    chain += "->off";
  CHECK_THAT(parse_error(chain).message, Catch::Contains("more than 64 terms"));
  CHECK_THAT(parse_error(std::string(70000, ' ') + "off").message,
             Catch::Contains("longer than 65536 bytes"));
}

TEST_CASE("error messages escape control characters of the input", "[parser]") {
  CHECK_THAT(parse_error("ret\x01rn").message, Catch::Contains("\\x01"));
}

TEST_CASE("FAILPOINTS specifications split on semicolons and newlines outside quotes",
          "[parser][env]") {
  auto s = split_ok(" a = return(1) ; b/c=return(\"x;y=z\\\"\")\n\nd=;e=off; ?f=return(`;=`)");
  auto entry = [](const ri::spec_entry& e) { return std::make_tuple(e.name, e.terms, e.later); };
  REQUIRE(s.size() == 5);
  CHECK(entry(s[0]) == std::make_tuple(std::string("a"), std::string("return(1)"), false));
  CHECK(entry(s[1]) ==
        std::make_tuple(std::string("b/c"), std::string("return(\"x;y=z\\\"\")"), false));
  CHECK(entry(s[2]) == std::make_tuple(std::string("d"), std::string(""), false));
  CHECK(entry(s[3]) == std::make_tuple(std::string("e"), std::string("off"), false));
  CHECK(entry(s[4]) == std::make_tuple(std::string("f"), std::string("return(`;=`)"), true));
  CHECK(split_ok("").empty());
  CHECK(split_ok(" ; ;\n").empty());
  CHECK_THAT(split_error("a=off;b"), Catch::Contains("entry \"b\" has no \"=\""));
  CHECK_THAT(split_error("=off"), Catch::Contains("empty failpoint name"));
  CHECK_THAT(split_error("?=off"), Catch::Contains("empty failpoint name"));
  CHECK_THAT(split_error("a=return(\"x;"), Catch::Contains("unclosed string"));
  CHECK_THAT(split_error("a=return(`x;"), Catch::Contains("unclosed string"));
  CHECK_THAT(split_error("a=off;a=return"), Catch::Contains("given twice"));
  CHECK_THAT(split_error("a=off;?a=return"), Catch::Contains("given twice"));
}

TEST_CASE("parse_spec checks every entry's terms and names the failpoint", "[parser][env]") {
  CHECK(failpoint::parse_spec("a=return(1);b=off").size() == 2);
  CHECK_THROWS_WITH(failpoint::parse_spec("a=return(1);b=sleep(x)"),
                    Catch::Contains("failpoint \"b\"") && Catch::Contains("at byte 6"));
  CHECK_NOTHROW(failpoint::validate_terms("1*return(true)"));
  CHECK_THROWS_AS(failpoint::validate_terms("1*"), config_error);
}

TEST_CASE("Go raw strings in backquotes are values without escapes", "[parser]") {
  const auto p = parse_ok(R"(return(`a\n"b;c=`)->panic(`x\`))");
  REQUIRE(p.terms[0].val.kind == value_kind::string);
  CHECK(std::string(p.terms[0].val.text, p.terms[0].val.size) == R"(a\n"b;c=)");
  CHECK(p.terms[1].text == R"(x\)");
  CHECK(parse_ok("return(``)").terms[0].val.size == 0);
  CHECK(parse_ok("sleep(`150ms`)").terms[0].duration == 150ms);
  CHECK_THAT(parse_error("return(`abc)").message, Catch::Contains("unclosed raw string"));
  CHECK(parse_error("return(`abc)").position == 7);
  CHECK_THAT(parse_error("off(`x`)").message, Catch::Contains("off takes no value"));
}

TEST_CASE("a term takes at most one count and one probability, in either order", "[parser]") {
  CHECK(*parse_ok("10%2*return").terms[0].count == 2);
  CHECK(*parse_ok("2*10%return").terms[0].percent == 10.0);
  const ri::error twice = parse_error("2*3*return(1)");
  CHECK(twice.position == 2);
  CHECK_THAT(twice.message, Catch::Contains("a second count \"3*\" in one term"));
  CHECK_THAT(twice.message, Catch::Contains("at most one count and one probability"));
  CHECK_THAT(parse_error("10%20%return").message, Catch::Contains("a second probability"));
}

TEST_CASE("may_end_process decides from the parsed terms, not from the text", "[parser]") {
  CHECK(failpoint::may_end_process("panic"));
  CHECK(failpoint::may_end_process("1*off->break"));
  CHECK(failpoint::may_end_process("50%return(1) -> panic(\"x\")"));
  CHECK_FALSE(failpoint::may_end_process("return(\"breakfast\")"));
  CHECK_FALSE(failpoint::may_end_process("return(\"no panic\")->print(`break`)"));
  CHECK_FALSE(failpoint::may_end_process("sleep(1)->throw(\"panic\")"));
  CHECK_THROWS_AS(failpoint::may_end_process("panic("), config_error);
  // Every action of the table, alone.
  for (const ri::action_spec& spec : ri::actions) {
    std::string terms = spec.name;
    if (spec.rule == ri::value_rule::duration)
      terms += "(1)";
    INFO(terms);
    CHECK(failpoint::may_end_process(terms) == spec.may_end_process);
  }
}

TEST_CASE("README's action table matches the runtime's", "[parser][docs]") {
  std::ifstream in(FAILPOINT_README);
  REQUIRE(in);
  // The rows `| `name` | value | ... |` of the first table that follows "## Terms".
  std::map<std::string, std::string> readme;
  std::string line;
  bool in_terms = false;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0)
      in_terms = line == "## Terms";
    if (!in_terms)
      continue;
    if (line.rfind("|", 0) != 0) {
      if (in_table)
        break;
      continue;
    }
    in_table = true;
    const std::size_t name_end = line.find("` |");
    if (line.rfind("| `", 0) != 0 || name_end == std::string::npos)
      continue;  // the header row and its rule
    const std::size_t value_begin = name_end + 4;
    const std::size_t value_end = line.find(" |", value_begin);
    readme[line.substr(3, name_end - 3)] = line.substr(value_begin, value_end - value_begin);
  }
  std::map<std::string, std::string> table;
  for (const ri::action_spec& spec : ri::actions)
    table[spec.name] = spec.value_help;
  CHECK(readme == table);
}

TEST_CASE("values are checked against the type spellings the runtime knows", "[parser][types]") {
  auto fits = [](std::string_view terms, std::string_view type) {
    const auto fit = ri::fit_value(parse_ok(terms).terms[0].val, type);
    REQUIRE(fit.known);
    return fit.reason == nullptr;
  };
  CHECK(fits("return(true)", "bool"));
  CHECK_FALSE(fits("return(1)", "bool"));
  CHECK(fits("return(255)", "std::uint8_t"));
  CHECK_FALSE(fits("return(256)", "uint8_t"));
  CHECK_FALSE(fits("return(-1)", "unsigned   long"));
  CHECK(fits("return(-1)", "const long long"));
  CHECK(fits("return(7)", "::std::size_t"));
  CHECK_FALSE(fits("return(\"10\")", "int"));
  CHECK(fits("return(3)", "double"));
  CHECK(fits("return(\"x\")", "std::string"));
  CHECK(fits("return(`x`)", "const std::string_view"));
  CHECK(fits("return(\"x\")", "const char *"));
  CHECK_FALSE(fits("return(1)", "const char*"));
  CHECK(fits("return", ""));
  CHECK_FALSE(fits("return(1)", ""));
  // Spellings the runtime cannot tie to a type are left to the site.
  for (const char* unknown : {"color", "my::string", "char*", "std::vector<int>", "int&"})
    CHECK_FALSE(ri::fit_value(parse_ok("return(1)").terms[0].val, unknown).known);
}
