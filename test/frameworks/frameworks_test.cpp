// test/frameworks/frameworks_test.cpp: the Catch2 and GoogleTest integrations, through their
// example programs run as child processes (their hidden tests fail on purpose: what the framework
// reports is checked here), and scoped's expect_fired without any integration.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <failpoint/control.hpp>

#include "child_process.hpp"
#include "store.hpp"

namespace {

using Catch::Contains;
using failpoint_test::run_program;

// The 1-based number of the first line of `path` that contains `text` after the first line that
// contains `after`; 0 when there is none.
int line_of(const std::string& path, const std::string& after, const std::string& text) {
  std::ifstream in(path);
  std::string line;
  int number = 0;
  bool seen = false;
  while (std::getline(in, line)) {
    ++number;
    if (!seen) {
      seen = line.find(after) != std::string::npos;
    } else if (line.find(text) != std::string::npos) {
      return number;
    }
  }
  return 0;
}

const std::string k_catch2_source = FAILPOINT_CATCH2_EXAMPLE_SOURCE;
const std::string k_gtest_source = FAILPOINT_GTEST_EXAMPLE_SOURCE;

// "catch2_example.cpp:NN" for the line of `text` after `after` in `source`.
std::string where(const std::string& source, const std::string& after, const std::string& text) {
  const int line = line_of(source, after, text);
  REQUIRE(line > 0);
  return source.substr(source.rfind('/') + 1) + ":" + std::to_string(line);
}

// Runs an example program (argv[0]) with `env` and requires that it exits with `status`;
// returns what it printed on stdout.
std::string run_example(const std::vector<std::string>& argv, int status,
                        const std::map<std::string, std::string>& env = {}) {
  const auto r = run_program(argv, env);
  INFO(r.out << r.err);
  REQUIRE(r.exited);
  REQUIRE(r.status == status);
  return r.out;
}

}  // namespace

TEST_CASE("Catch2: the example's test cases pass with the listener", "[frameworks][catch2]") {
  const std::string out = run_example({FAILPOINT_CATCH2_EXAMPLE, "-r", "compact"}, 0);
  CHECK_THAT(out, Contains("Passed all 3 test cases"));
}

TEST_CASE("Catch2: a test that leaves a failpoint enabled fails, and the next one finds it off",
          "[frameworks][catch2]") {
  const std::string out = run_example({FAILPOINT_CATCH2_EXAMPLE, "-r", "compact", "[.leak]"}, 1);
  CHECK_THAT(out, Contains("failpoint \"example.SaveFails\" was left enabled with "
                           "\"return(true)\"; disabled it"));
  // Reported at the TEST_CASE line of the test that leaked.
  CHECK_THAT(out, Contains(where(k_catch2_source, "// Fails: it enables a failpoint",
                                 "TEST_CASE(\"leaves a failpoint enabled\"")));
  CHECK_THAT(out, Contains("Failed 1 test case, failed 1 assertion."));
}

TEST_CASE("Catch2: a required fault that never fires fails the test at the guard's line",
          "[frameworks][catch2]") {
  const std::string out = run_example({FAILPOINT_CATCH2_EXAMPLE, "-r", "compact", "[.unfired]"}, 2);
  CHECK_THAT(out, Contains("the fault of failpoint \"example.LoadFails\" never fired: its terms "
                           "\"return(true)\" ran 0 times, 1 needed"));
  CHECK_THAT(out, Contains("its terms \"2*off->return(true)\" ran 2 times, 3 needed"));
  CHECK_THAT(out, Contains(where(k_catch2_source, "TEST_CASE(\"a required fault that never",
                                 "failpoint::expect_fired")));
  CHECK_THAT(out, Contains("Failed both 2 test cases, failed 2 assertions."));
}

TEST_CASE("Catch2: every test starts from the failpoints FAILPOINTS set", "[frameworks][catch2]") {
  const std::string out = run_example({FAILPOINT_CATCH2_EXAMPLE, "-r", "compact", "[.baseline]"}, 1,
                                      {{"FAILPOINTS", "example.LoadFails=return(true)"}});
  CHECK_THAT(out, Contains("failpoint \"example.SaveFails\" was left enabled with "
                           "\"return(false)\"; disabled it"));
  CHECK_THAT(out, !Contains("\"example.LoadFails\" was left"));
  CHECK_THAT(out, Contains("Failed 1 test case, failed 1 assertion."));
}

TEST_CASE("GoogleTest: the example's tests pass with the listener", "[frameworks][gtest]") {
  const std::string out = run_example({FAILPOINT_GTEST_EXAMPLE}, 0);
  CHECK_THAT(out, Contains("[  PASSED  ] 1 test."));
}

TEST_CASE("GoogleTest: a test that leaves a failpoint enabled fails, and the next one finds it off",
          "[frameworks][gtest]") {
  const std::string out = run_example(
      {FAILPOINT_GTEST_EXAMPLE, "--gtest_also_run_disabled_tests", "--gtest_filter=Leak.*"}, 1);
  CHECK_THAT(out, Contains("failpoint \"example.SaveFails\" was left enabled with "
                           "\"return(true)\"; disabled it"));
  CHECK_THAT(out, Contains(where(k_gtest_source, "// Fails: it enables a failpoint",
                                 "TEST(Leak, DISABLED_LeavesFailpointEnabled)")));
  CHECK_THAT(out, Contains("[  FAILED  ] Leak.DISABLED_LeavesFailpointEnabled"));
  CHECK_THAT(out, Contains("[       OK ] Leak.DISABLED_NextTestFindsItDisabled"));
  CHECK_THAT(out, Contains("1 FAILED TEST"));
}

TEST_CASE("GoogleTest: a required fault that never fires fails the test at the guard's line",
          "[frameworks][gtest]") {
  const std::string out = run_example(
      {FAILPOINT_GTEST_EXAMPLE, "--gtest_also_run_disabled_tests", "--gtest_filter=Unfired.*"}, 1);
  CHECK_THAT(out, Contains("the fault of failpoint \"example.LoadFails\" never fired: its terms "
                           "\"return(true)\" ran 0 times, 1 needed"));
  CHECK_THAT(out, Contains(where(k_gtest_source, "TEST(Unfired, DISABLED_RequiredFaultNeverFires)",
                                 "failpoint::expect_fired")));
  CHECK_THAT(out, Contains("[  FAILED  ] Unfired.DISABLED_RequiredFaultNeverFires"));
}

TEST_CASE("without an integration, a required fault that never fires throws at scope exit",
          "[frameworks][scoped]") {
  example::store db;
  const int line = __LINE__ + 3;
  try {
    {
      failpoint::scoped fault("example.SaveFails", "1*off->return(true)", failpoint::expect_fired);
      CHECK(db.save("a", "1"));
    }
    FAIL("no fault_not_fired");
  } catch (const failpoint::fault_not_fired& e) {
    CHECK(e.name() == "example.SaveFails");
    CHECK(e.terms() == "1*off->return(true)");
    CHECK(e.runs() == 1);
    CHECK(e.needed() == 2);
    CHECK(e.line() == line);
    CHECK_THAT(e.what(), Contains("frameworks_test.cpp:" + std::to_string(line) + ": the fault"));
  }
  // The guard restored the failpoint before it threw.
  CHECK_FALSE(failpoint::status("example.SaveFails")->active);
  CHECK(db.save("b", "2"));
}

TEST_CASE("a required fault that fired, or a guard that requires nothing, is silent",
          "[frameworks][scoped]") {
  example::store db;
  {
    failpoint::scoped fault("example.SaveFails", "return(true)", failpoint::expect_fired);
    CHECK_FALSE(db.save("a", "1"));
  }
  {
    failpoint::scoped fault("example.SaveFails", "2*off");  // a chain of offs: reached is enough
    fault.require_fired();
    CHECK(db.save("a", "1"));
  }
  { failpoint::scoped fault("example.SaveFails", "return(true)"); }
  CHECK_FALSE(failpoint::status("example.SaveFails")->active);
}

TEST_CASE("a required fault that never fires while an exception unwinds is written to stderr",
          "[frameworks][scoped]") {
  const auto r = failpoint_test::run_in_child([] {
    failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired);
    throw std::runtime_error("the test failed already");
  });
  CHECK(r.exited);
  CHECK(r.status == 99);  // the test's own exception, not std::terminate
  CHECK_THAT(r.err, Contains("failpoint: ") && Contains("\"example.LoadFails\" never fired"));
}

TEST_CASE("set_unfired_handler receives the fault instead of the throw", "[frameworks][scoped]") {
  std::string seen;
  auto previous =
      failpoint::set_unfired_handler([&](const failpoint::fault_not_fired& e) { seen = e.name(); });
  { failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired); }
  CHECK(seen == "example.LoadFails");
  CHECK_FALSE(failpoint::set_unfired_handler(std::move(previous)) == nullptr);
  CHECK_THROWS_AS(
      [] {
        failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired);
      }(),
      failpoint::fault_not_fired);
}
