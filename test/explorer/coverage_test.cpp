// failpoint-explore --coverage on the services example built with gcov (services_cov_*): the
// lines only faults reach are the services' error handling, as the Filibuster class exercise
// measured it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/explorer/support.hpp"

#ifdef SERVICES_COV_FOO
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace explorer_test;

// The number of the first line of the service's source that contains `text`.
unsigned line_of(const std::string& file, const std::string& text) {
  std::ifstream in(std::string(SERVICES_SOURCE_DIR) + "/" + file);
  unsigned n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find(text) != std::string::npos)
      return n;
  }
  FAIL("no line of " << file << " contains " << text);
  return 0;
}

bool listed(const json& coverage, const std::string& file, unsigned line) {
  const json& only = coverage.at("fault_only");
  if (!only.contains(file))
    return false;
  const auto lines = only.at(file).get<std::vector<unsigned>>();
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("coverage: --coverage lists the services' lines that only faults reach",
          "[explorer][examples][coverage]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e =
      explore(dir,
              {"-j", "2", "--depth", "1", "--reproduce", "0", "--faults", SERVICES_FAULTS,
               "--coverage", "--coverage-root", SERVICES_SOURCE_DIR},
              {SERVICES_TEST, SERVICES_COV_FOO, SERVICES_COV_BAR, SERVICES_COV_BAZ});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.exited);
  REQUIRE(e.result.status == 1);  // foo's mishandled connection error, as without coverage
  REQUIRE(e.report.contains("coverage"));
  const json& c = e.report.at("coverage");
  CHECK(c.at("warnings").empty());  // gcov found every source (relative paths included)
  CHECK(c.at("baseline_runs") == 2);
  CHECK(c.at("fault_runs") == 7);
  // Error handling only faults reach: foo's and bar's answers to their upstream's failures.
  CHECK(listed(c, "foo.cpp", line_of("foo.cpp", "The bar service timed out.")));
  CHECK(listed(c, "foo.cpp", line_of("foo.cpp", "The bar service is malfunctioning.")));
  CHECK(listed(c, "bar.cpp", line_of("bar.cpp", "The baz service is unavailable.")));
  CHECK(listed(c, "bar.cpp", line_of("bar.cpp", "The baz service timed out.")));
  CHECK(listed(c, "bar.cpp", line_of("bar.cpp", "The baz service is malfunctioning.")));
  // What the baseline reaches is not listed: the answer without faults.
  CHECK_FALSE(listed(c, "foo.cpp", line_of("foo.cpp", "return {200, \"foo \" + bar.body};")));
  CHECK_FALSE(listed(c, "bar.cpp", line_of("bar.cpp", "return {200, \"bar \" + baz.body};")));
  // Fault-only lines are exactly the difference between all runs and the baseline.
  const std::size_t baseline = c.at("baseline").at("lines_covered").get<std::size_t>();
  const std::size_t all = c.at("all").at("lines_covered").get<std::size_t>();
  CHECK(c.at("fault_only_lines") == all - baseline);
  CHECK(baseline > 0);
  CHECK(all > baseline);
  CHECK(c.at("baseline").at("lines_total") == c.at("all").at("lines_total"));
  // The files in --out, and the summary.
  const json written = json::parse(std::ifstream(dir + "/out/coverage.json"));
  CHECK(written == c);
  std::ifstream listing(dir + "/out/coverage.txt");
  const std::string text((std::istreambuf_iterator<char>(listing)),
                         std::istreambuf_iterator<char>());
  const std::string foo_line =
      "foo.cpp:" + std::to_string(line_of("foo.cpp", "The bar service timed out."));
  CHECK_THAT(text, Catch::Contains(foo_line));
  CHECK_THAT(e.result.out, Catch::Contains("lines only faults reach: "));
  CHECK_THAT(e.result.out, Catch::Contains(foo_line));
  CHECK(fs::exists(dir + "/out/coverage-baseline.gcovr.json"));
  CHECK(fs::exists(dir + "/out/coverage-faults.gcovr.json"));
}
#endif
