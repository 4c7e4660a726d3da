// failpoint-explore over several tests: `failpoint-explore ctest` on generated CMake trees whose
// tests run suite_probe.cpp, `--each-test-case` on a Catch2 and a GoogleTest program with a bug
// planted in one case, both together, failpoint_add_exploration() end to end, and the examples'
// functional tests as ctest tests.
#include "explorer/suite.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "explorer/ctest.hpp"
#include "explorer/test_cases.hpp"
#include "test/explorer/support.hpp"

namespace {

namespace fs = std::filesystem;
namespace ex = failpoint::explorer;
using nlohmann::json;

// A CMake project without compilers whose CMakeLists.txt ends with `body`, configured in
// dir/build with the cache entries `defines` (-DNAME=VALUE); returns the build directory.
std::string ctest_tree(const std::string& dir, const std::string& body,
                       const std::vector<std::string>& defines = {}) {
  fs::create_directories(dir + "/project");
  failpoint_test::write_file(dir + "/project/CMakeLists.txt",
                             "cmake_minimum_required(VERSION 3.16)\nproject(suite NONE)\n"
                             "enable_testing()\n" +
                                 body);
  std::vector<std::string> argv = {CMAKE_COMMAND, "-S", dir + "/project", "-B", dir + "/build"};
  argv.insert(argv.end(), defines.begin(), defines.end());
  const auto configure = failpoint_test::run_program(argv, {}, std::chrono::seconds(120));
  INFO(configure.out << configure.err);
  REQUIRE(configure.status == 0);
  return dir + "/build";
}

// A run of failpoint-explore with its suite report (dir/report.json) and output dir (dir/out).
struct suite_run {
  failpoint_test::child_result result;
  json report;
};

suite_run run_suite(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      FAILPOINT_EXPLORE, "--progress",        "lines", "--out", dir + "/out",
      "--report",        dir + "/report.json"};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::remove(dir + "/report.json");
  suite_run s;
  s.result = failpoint_test::run_program(argv, {}, std::chrono::seconds(300));
  if (fs::exists(dir + "/report.json"))
    s.report = json::parse(std::ifstream(dir + "/report.json"));
  return s;
}

// The unit of a suite report for a test and case ("" for none); null when there is none.
json unit_of(const json& report, const std::string& test, const std::string& test_case = "") {
  for (const json& u : report.at("units"))
    if (u.at("test") == test && u.at("case") == test_case)
      return u;
  return nullptr;
}

std::string probe() {
  return SUITE_PROBE;
}

}  // namespace

TEST_CASE("ctest mode explores each test with its command, environment and directory",
          "[explorer][suite][ctest]") {
  const std::string dir = failpoint_test::temp_dir();
  fs::create_directories(dir + "/probe-cwd");
  const std::string p = probe();
  const std::string build = ctest_tree(
      dir,
      "add_test(NAME buggy COMMAND " + p + " buggy)\n" + "add_test(NAME fixed COMMAND " + p +
          " fixed)\n" + "add_test(NAME env COMMAND " + p + " env)\n" +
          "set_tests_properties(env PROPERTIES ENVIRONMENT PROBE_VAR=expected WORKING_DIRECTORY " +
          dir + "/probe-cwd)\n" + "add_test(NAME nofp COMMAND " + p + " nofp)\n" +
          "add_test(NAME disabled COMMAND " + p + " buggy)\n" +
          "set_tests_properties(disabled PROPERTIES DISABLED ON)\n" +
          "add_test(NAME inverted COMMAND " + p + " exit 1)\n" +
          "set_tests_properties(inverted PROPERTIES WILL_FAIL ON)\n" +
          "add_test(NAME skipping COMMAND " + p + " exit 77)\n" +
          "set_tests_properties(skipping PROPERTIES SKIP_RETURN_CODE 77)\n" +
          "add_test(NAME scheduled COMMAND " + p + " buggy)\n" +
          "set_tests_properties(scheduled PROPERTIES ENVIRONMENT FAILPOINTS=probe.Save=off)\n" +
          "add_test(NAME failing COMMAND " + p + " exit 3)\n");
  const suite_run s = run_suite(dir, {"-j", "2", "ctest", "--test-dir", build});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 1);
  REQUIRE(s.report.at("format") == "failpoint-explore suite report");
  CHECK(s.report.at("units").size() == 9);

  const json buggy = unit_of(s.report, "buggy");
  CHECK(buggy.at("status") == "failures");
  REQUIRE(buggy.at("failures").size() == 1);
  CHECK_THAT(buggy.at("failures")[0].at("key").get<std::string>(), Catch::Contains("saved == 2"));
  CHECK(buggy.at("out") == dir + "/out/buggy");
  const json counterexample = json::parse(std::ifstream(dir + "/out/buggy/failure-1.json"));
  CHECK(counterexample.at("command").at("argv") == json({p, "buggy"}));
  CHECK(counterexample.at("command").at("cwd") == build);
  CHECK(fs::exists(dir + "/out/buggy/report.json"));

  CHECK(unit_of(s.report, "fixed").at("status") == "no failure");
  CHECK(unit_of(s.report, "fixed").at("runs").get<int>() > 0);
  // env passes only with its ENVIRONMENT and in its WORKING_DIRECTORY.
  const json env = unit_of(s.report, "env");
  CHECK(env.at("status") == "no failure");
  CHECK(env.at("runs").get<int>() > 0);

  auto skipped_because = [&](const std::string& test, const std::string& why) {
    const json u = unit_of(s.report, test);
    INFO(test << ": " << u.dump());
    CHECK(u.at("status") == "skipped");
    CHECK_THAT(u.at("note").get<std::string>(), Catch::Contains(why));
  };
  skipped_because("nofp", "reaches no failpoint");
  skipped_because("disabled", "DISABLED");
  skipped_because("inverted", "WILL_FAIL");
  skipped_because("skipping", "SKIP_RETURN_CODE 77");
  skipped_because("scheduled", "sets FAILPOINTS");
  const json failing = unit_of(s.report, "failing");
  CHECK(failing.at("status") == "error");
  CHECK_THAT(failing.at("note").get<std::string>(),
             Catch::Contains("does not pass without faults (fail, exit code 3"));
  CHECK_THAT(s.result.out,
             Catch::Contains("explore: 3 explored (1 with failures, 1 failures in all), 5 "
                             "skipped, 1 errors"));
  CHECK_THAT(s.result.out,
             Catch::Contains("explore: test \"buggy\": counterexamples in " + dir + "/out/buggy"));
}

TEST_CASE("ctest mode explores the tests -R and -E select", "[explorer][suite][ctest]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string p = probe();
  const std::string build =
      ctest_tree(dir, "add_test(NAME buggy COMMAND " + p + " buggy)\nadd_test(NAME fixed COMMAND " +
                          p + " fixed)\nadd_test(NAME fixed_env COMMAND " + p + " env)\n");
  const suite_run s = run_suite(dir, {"ctest", "--test-dir", build, "-R", "fixed", "-E", "_env$"});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 0);
  REQUIRE(s.report.at("units").size() == 1);
  CHECK(s.report.at("units")[0].at("test") == "fixed");
  CHECK(s.report.at("units")[0].at("status") == "no failure");
  // Without -E the env test is selected too, and its baseline fails outside its directory.
  const suite_run both = run_suite(dir, {"ctest", "--test-dir", build, "-R", "fixed"});
  CHECK(both.result.status == 2);
  CHECK(unit_of(both.report, "fixed_env").at("status") == "error");
}

TEST_CASE("runs of a RUN_SERIAL or RESOURCE_LOCK test never overlap", "[explorer][suite][ctest]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string p = probe();
  // Each run holds its lock file while it runs: two runs at once make one of them fail.
  const std::string build = ctest_tree(
      dir, "add_test(NAME locked_a COMMAND " + p + " lock " + dir + "/shared.lock)\n" +
               "add_test(NAME locked_b COMMAND " + p + " lock " + dir + "/shared.lock)\n" +
               "set_tests_properties(locked_a locked_b PROPERTIES RESOURCE_LOCK shared)\n" +
               "add_test(NAME serial COMMAND " + p + " lock " + dir + "/serial.lock)\n" +
               "set_tests_properties(serial PROPERTIES RUN_SERIAL ON)\n" +
               "add_test(NAME unlocked COMMAND " + p + " lock " + dir + "/unlocked.lock)\n");
  const suite_run s = run_suite(dir, {"-j", "4", "--depth", "1", "ctest", "--test-dir", build});
  INFO(s.result.out << s.result.err);
  for (const char* test : {"locked_a", "locked_b", "serial"}) {
    INFO(test);
    CHECK(unit_of(s.report, test).at("status") == "no failure");
    CHECK(unit_of(s.report, test).at("runs") == 3);
  }
  CHECK_THAT(s.result.out, Catch::Contains("test \"locked_a\": runs one at a time "
                                           "(RESOURCE_LOCK shared)") &&
                               Catch::Contains("test \"serial\": runs one at a time (RUN_SERIAL)"));
  // The control: the same test without a lock, its runs overlap with -j 4.
  const json unlocked = unit_of(s.report, "unlocked");
  CHECK(unlocked.at("status") == "failures");
  REQUIRE(!unlocked.at("failures").empty());
  CHECK_THAT(unlocked.at("failures")[0].at("key").get<std::string>(),
             Catch::Contains("another run holds"));
  CHECK(s.result.status == 1);
}

TEST_CASE("a fixture's setup test runs before the exploration and its cleanup after",
          "[explorer][suite][ctest]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string ready = dir + "/ready";
  const std::string build =
      ctest_tree(dir, "add_test(NAME setup COMMAND touch " + ready + ")\n" +
                          "add_test(NAME cleanup COMMAND rm " + ready + ")\n" +
                          "add_test(NAME uses COMMAND " + probe() + " needs " + ready + ")\n" +
                          "set_tests_properties(setup PROPERTIES FIXTURES_SETUP db)\n" +
                          "set_tests_properties(cleanup PROPERTIES FIXTURES_CLEANUP db)\n" +
                          "set_tests_properties(uses PROPERTIES FIXTURES_REQUIRED db)\n");
  // -R selects the test alone; ctest adds its fixture's tests.
  const suite_run s = run_suite(dir, {"ctest", "--test-dir", build, "-R", "^uses$"});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 0);
  CHECK(unit_of(s.report, "uses").at("status") == "no failure");
  CHECK(unit_of(s.report, "uses").at("runs").get<int>() > 0);
  CHECK_THAT(unit_of(s.report, "setup").at("note").get<std::string>(),
             Catch::Contains("fixture's setup or cleanup"));
  CHECK_FALSE(fs::exists(ready));  // the cleanup ran
}

TEST_CASE("ctest mode refuses bad inputs with exit status 2", "[explorer][suite][ctest]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string build = ctest_tree(dir, "add_test(NAME fixed COMMAND " + probe() + " fixed)\n");
  auto refused = [&](const std::vector<std::string>& args, const std::string& message) {
    const suite_run s = run_suite(dir, args);
    INFO(s.result.out << s.result.err);
    CHECK(s.result.status == 2);
    CHECK_THAT(s.result.err, Catch::Contains(message));
  };
  refused({"ctest", "--test-dir", dir + "/missing"}, "--test-dir \"" + dir + "/missing\": no such");
  refused({"ctest", "--test-dir", dir}, "has no CTestTestfile.cmake");
  refused({"ctest", "--test-dir", build, "-R", "nothing"},
          "no test in \"" + build + "\" matches -R \"nothing\"");
  refused({"ctest", "--test-dir", build, "-E", "fixed"}, "matches but not -E \"fixed\"");
  refused({"ctest", "--test-dir", build, "--ctest-command", dir + "/no-ctest"},
          "cannot run \"" + dir + "/no-ctest\"");
  refused({"ctest", "--test-dir", build, "--", probe(), "fixed"}, "no COMMAND, --env or --cwd");
  refused({"--shard", "0/2", "--state", dir, "ctest", "--test-dir", build},
          "--shard and --state are for one command");
  refused({"--each-test-case", "--", probe(), "fixed"},
          "is neither a Catch2 (v2) nor a GoogleTest program");
}

TEST_CASE("each case of a Catch2 program is explored on its own", "[explorer][suite][cases]") {
  const std::string dir = failpoint_test::temp_dir();
  const suite_run s = run_suite(dir, {"-j", "2", "--each-test-case", "--", CASES_CATCH2});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 1);
  CHECK_THAT(s.result.out, Catch::Contains("explore: 3 test cases of Catch2 program"));
  REQUIRE(s.report.at("units").size() == 3);  // the hidden case is not listed
  const json buggy = unit_of(s.report, "", "a save that is not retried");
  CHECK(buggy.at("status") == "failures");
  CHECK(buggy.at("failures").size() == 1);
  // The name holds `,`, `[`, `]` and `"`: the escaped spec selects the case (Catch2 refuses a
  // spec that matches nothing, so the baseline would fail), and it reaches both failpoints.
  const json special = unit_of(s.report, "", "saves, then [loads] a \"record\"");
  CHECK(special.at("status") == "no failure");
  const json special_report = json::parse(std::ifstream(special.at("report").get<std::string>()));
  CHECK(special_report.at("failpoints").size() == 2);
  const json plain = unit_of(s.report, "", "reaches no failpoint");
  CHECK(plain.at("status") == "skipped");
  // Only the buggy case's failpoint reach: cases.Load is not reached in it.
  const json buggy_report = json::parse(std::ifstream(buggy.at("report").get<std::string>()));
  CHECK(buggy_report.at("failpoints").size() == 1);
  CHECK(buggy_report.at("failpoints").contains("cases.Save"));
  // The counterexample runs that case alone, and replays.
  const std::string file = dir + "/out/a_save_that_is_not_retried/failure-1.json";
  const json counterexample = json::parse(std::ifstream(file));
  CHECK(counterexample.at("command").at("argv") ==
        json({CASES_CATCH2, "a save that is not retried"}));
  const auto again = explorer_test::replay(file);
  INFO(again.out << again.err);
  CHECK(again.status == 0);
}

TEST_CASE("each case of a GoogleTest program is explored on its own", "[explorer][suite][cases]") {
  const std::string dir = failpoint_test::temp_dir();
  const suite_run s =
      run_suite(dir, {"-j", "2", "--html", dir + "/html", "--each-test-case", "--", CASES_GTEST});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 1);
  REQUIRE(s.report.at("units").size() == 4);
  const json buggy = unit_of(s.report, "", "Store.SaveNotRetried");
  CHECK(buggy.at("status") == "failures");
  CHECK(buggy.at("failures").size() == 1);
  CHECK(buggy.at("command") == json({CASES_GTEST, "--gtest_filter=Store.SaveNotRetried"}));
  CHECK(unit_of(s.report, "", "Store.SaveRetried").at("status") == "no failure");
  CHECK(unit_of(s.report, "", "Plain.NoFailpoint").at("status") == "skipped");
  const json disabled = unit_of(s.report, "", "Store.DISABLED_NeverRun");
  CHECK(disabled.at("status") == "skipped");
  CHECK_THAT(disabled.at("note").get<std::string>(), Catch::Contains("DISABLED_"));
  CHECK(fs::exists(dir + "/out/Store.SaveNotRetried/failure-1.json"));
  CHECK_FALSE(fs::exists(dir + "/out/Store.SaveRetried/failure-1.json"));
  // --html: one page per explored case.
  CHECK(fs::exists(dir + "/html/Store.SaveNotRetried/index.html"));
  CHECK(fs::exists(dir + "/html/Store.SaveRetried/index.html"));
  CHECK_FALSE(fs::exists(dir + "/html/Plain.NoFailpoint/index.html"));
}

TEST_CASE("ctest mode with --each-test-case splits the tests that run Catch2 or GoogleTest",
          "[explorer][suite][ctest][cases]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string build = ctest_tree(
      dir, std::string("add_test(NAME catch COMMAND ") + CASES_CATCH2 + ")\n" +
               "add_test(NAME gtest COMMAND " + CASES_GTEST + " --gtest_filter=Store.*)\n" +
               "add_test(NAME probe COMMAND " + probe() + " fixed)\n" +
               // One case with an option, as catch_discover_tests registers it.
               "add_test(NAME one COMMAND " + CASES_CATCH2 +
               " \"reaches no failpoint\" --durations no)\n");
  const suite_run s = run_suite(dir, {"-j", "2", "--each-test-case", "ctest", "--test-dir", build});
  INFO(s.result.out << s.result.err);
  CHECK(s.result.status == 1);
  // 3 Catch2 cases, the 3 GoogleTest cases its filter keeps, the probe as a whole, the one case.
  CHECK(s.report.at("units").size() == 8);
  const json one = unit_of(s.report, "one", "reaches no failpoint");
  CHECK(one.at("command") == json({CASES_CATCH2, "--durations", "no", "reaches no failpoint"}));
  CHECK(one.at("status") == "skipped");
  CHECK(unit_of(s.report, "catch", "a save that is not retried").at("status") == "failures");
  CHECK(unit_of(s.report, "gtest", "Store.SaveNotRetried").at("status") == "failures");
  CHECK(unit_of(s.report, "gtest", "Store.SaveRetried").at("status") == "no failure");
  CHECK(unit_of(s.report, "gtest", "Plain.NoFailpoint").is_null());
  CHECK(unit_of(s.report, "probe").at("status") == "no failure");
  CHECK_THAT(s.result.out, Catch::Contains("test \"probe\": not a Catch2 or GoogleTest program"));
  CHECK(fs::exists(dir + "/out/gtest/Store.SaveNotRetried/failure-1.json"));
  CHECK(fs::exists(dir + "/out/catch/a_save_that_is_not_retried/failure-1.json"));
}

TEST_CASE("failpoint_add_exploration adds a test that fails when the exploration finds a failure",
          "[explorer][suite][cmake]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string p = probe();
  failpoint_test::write_file(dir + "/menu.json", "{\"probe.*\": [\"return(true)\"]}\n");
  const std::string build = ctest_tree(
      dir,
      std::string("include(") + EXPLORATION_CMAKE + ")\n" + "add_test(NAME store.buggy COMMAND " +
          p + " buggy)\n" + "add_test(NAME store.fixed COMMAND " + p + " fixed)\n" +
          "set_tests_properties(store.fixed PROPERTIES RESOURCE_LOCK db)\n" +
          "failpoint_add_exploration(explore_buggy TEST store.buggy DEPTH 1 JOBS 2)\n" +
          "failpoint_add_exploration(explore_fixed TEST store.fixed MENU " + dir + "/menu.json)\n" +
          "failpoint_add_exploration(explore_command COMMAND " + p +
          " buggy JOBS 1 OPTIONS --reproduce 1)\n",
      // The tool comes from the cache variable here (no failpoint::explore target in this
      // project).
      {"-DFAILPOINT_EXPLORE_EXECUTABLE=" FAILPOINT_EXPLORE});
  const auto test = failpoint_test::run_program(
      {CTEST_COMMAND, "--test-dir", build, "-L", "failpoint-exploration", "--output-on-failure"},
      {}, std::chrono::seconds(300));
  INFO(test.out << test.err);
  CHECK(test.status != 0);
  CHECK_THAT(test.out, Catch::Matches(R"([\s\S]*explore_fixed \.+ +Passed[\s\S]*)"));
  CHECK_THAT(test.out, Catch::Matches(R"([\s\S]*explore_buggy \.+\*\*\*Failed[\s\S]*)"));
  CHECK_THAT(test.out, Catch::Matches(R"([\s\S]*explore_command \.+\*\*\*Failed[\s\S]*)"));
  CHECK_THAT(test.out, Catch::Contains("2 tests failed out of 3"));
  CHECK(fs::exists(build + "/failpoint-exploration/explore_buggy/store.buggy/failure-1.json"));
  CHECK(fs::exists(build + "/failpoint-exploration/explore_command/failure-1.json"));
  // The lock of the explored test is the exploration's too.
  const auto show = failpoint_test::run_program(
      {CTEST_COMMAND, "--test-dir", build, "--show-only=json-v1", "-R", "^explore_fixed$"}, {},
      std::chrono::seconds(60));
  const auto tests = ex::parse_ctest_json(show.out, {});
  REQUIRE(tests.size() == 1);
  CHECK(tests[0].resource_locks == std::vector<std::string>{"db"});
}

TEST_CASE("ctest's JSON: environment, modifications and what makes a test unexplorable",
          "[explorer][suite][ctest]") {
  const json doc = {
      {"kind", "ctestInfo"},
      {"version", {{"major", 1}, {"minor", 0}}},
      {"tests",
       {{{"name", "t"},
         {"command", {"/bin/t", "a b"}},
         {"properties",
          {{{"name", "ENVIRONMENT"}, {"value", {"A=1", "B=x=y"}}},
           {{"name", "ENVIRONMENT_MODIFICATION"},
            {"value", {"A=string_append:2", "P=path_list_prepend:/opt", "C=set:3", "A=reset:"}}},
           {{"name", "WORKING_DIRECTORY"}, {"value", "/w"}},
           {{"name", "RESOURCE_LOCK"}, {"value", {"db"}}},
           {{"name", "SKIP_RETURN_CODE"}, {"value", 77}}}}},
        {{"name", "u"},
         {"properties",
          {{{"name", "PASS_REGULAR_EXPRESSION"}, {"value", {"ok"}}},
           {{"name", "DISABLED"}, {"value", true}}}}},
        {{"name", "v"},
         {"command", {"/bin/v"}},
         {"properties", {{{"name", "ENVIRONMENT_MODIFICATION"}, {"value", {"X=unset:"}}}}}}}}};
  const auto tests = ex::parse_ctest_json(doc.dump(), {{"P", "/usr/bin"}, {"A", "0"}});
  REQUIRE(tests.size() == 3);
  CHECK(tests[0].argv == std::vector<std::string>{"/bin/t", "a b"});
  CHECK(tests[0].env == std::map<std::string, std::string>{
                            {"A", "1"}, {"B", "x=y"}, {"C", "3"}, {"P", "/opt:/usr/bin"}});
  CHECK(tests[0].cwd == "/w");
  CHECK(tests[0].resource_locks == std::vector<std::string>{"db"});
  CHECK(tests[0].skip_return_code == 77);
  CHECK(tests[0].not_explorable.empty());
  CHECK(tests[1].argv.empty());
  CHECK(tests[1].disabled);
  CHECK_THAT(tests[1].not_explorable, Catch::Contains("PASS_REGULAR_EXPRESSION"));
  CHECK_THAT(tests[2].not_explorable, Catch::Contains("unsets X"));
  CHECK_THROWS_WITH(ex::parse_ctest_json("{\"kind\": \"other\"}", {}),
                    Catch::Contains("not a ctestInfo document of version 1"));
}

TEST_CASE("test case listings and the command that runs one case", "[explorer][suite][cases]") {
  const auto gtest = ex::parse_gtest_list(
      "Running main() from gtest_main.cc\nStore.\n  Save\n  DISABLED_Old\n"
      "Param/Load.  # TypeParam = int\n  Works/0  # GetParam() = 1\nDISABLED_Suite.\n  A\n");
  REQUIRE(gtest.size() == 4);
  CHECK(gtest[0].name == "Store.Save");
  CHECK_FALSE(gtest[0].disabled);
  CHECK(gtest[1].disabled);
  CHECK(gtest[2].name == "Param/Load.Works/0");
  CHECK(gtest[3].name == "DISABLED_Suite.A");
  CHECK(gtest[3].disabled);
  CHECK(ex::catch2_spec("a, [b] \"c\" *d\\~") == "a\\, \\[b\\] \\\"c\\\" \\*d\\\\\\~");
  CHECK(ex::case_argv(ex::framework::gtest, {"/t", "--gtest_filter=A.*", "--gtest_repeat=1"},
                      "A.B") ==
        std::vector<std::string>{"/t", "--gtest_repeat=1", "--gtest_filter=A.B"});
  CHECK(ex::case_argv(ex::framework::catch2, {"/t", "[tag]", "-r", "xml", "-s", "old name"},
                      "new, name") ==
        std::vector<std::string>{"/t", "-r", "xml", "-s", "new\\, name"});
  CHECK(ex::detect_framework(CASES_CATCH2) == ex::framework::catch2);
  CHECK(ex::detect_framework(CASES_GTEST) == ex::framework::gtest);
  CHECK(ex::detect_framework(SUITE_PROBE) == ex::framework::none);
  CHECK(ex::directory_name("examples: a/b c") == "examples__a_b_c");
}

#if defined(SERVICES_TEST) && defined(CHECKPOINT_TEST)
TEST_CASE("the examples' functional tests explored as ctest tests", "[explorer][suite][examples]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string build =
      ctest_tree(dir, std::string("add_test(NAME services.functional COMMAND ") + SERVICES_TEST +
                          " " + SERVICES_FOO + " " + SERVICES_BAR + " " + SERVICES_BAZ + ")\n" +
                          "add_test(NAME services.functional_fixed COMMAND " + SERVICES_TEST + " " +
                          SERVICES_FOO_FIXED + " " + SERVICES_BAR + " " + SERVICES_BAZ + ")\n" +
                          "add_test(NAME checkpoint.crash_restart COMMAND /bin/sh " +
                          CHECKPOINT_TEST + " " + CHECKPOINT_WATCHER + ")\n" +
                          "add_test(NAME checkpoint.crash_restart_fixed COMMAND /bin/sh " +
                          CHECKPOINT_TEST + " " + CHECKPOINT_WATCHER_FIXED + ")\n");
  // The services with their fault menu (the string failpoints' faults).
  const suite_run services = run_suite(dir, {"-j", "2", "--faults", SERVICES_FAULTS, "ctest",
                                             "--test-dir", build, "-R", "^services\\."});
  INFO(services.result.out << services.result.err);
  CHECK(services.result.status == 1);
  REQUIRE(services.report.at("units").size() == 2);
  const json buggy = unit_of(services.report, "services.functional");
  CHECK(buggy.at("runs") == 7);
  REQUIRE(buggy.at("failures").size() == 1);
  CHECK_THAT(buggy.at("failures")[0].at("key").get<std::string>(),
             Catch::Contains("foo must answer 503, not 500"));
  CHECK(unit_of(services.report, "services.functional_fixed").at("status") == "no failure");
  // The checkpoint watcher with crashes (panic) as an opt-in fault.
  const suite_run checkpoint = run_suite(
      dir, {"-j", "2", "--with", "panic", "ctest", "--test-dir", build, "-R", "^checkpoint\\."});
  INFO(checkpoint.result.out << checkpoint.result.err);
  CHECK(checkpoint.result.status == 1);
  const json crash = unit_of(checkpoint.report, "checkpoint.crash_restart");
  REQUIRE(crash.at("failures").size() == 1);
  CHECK_THAT(crash.at("failures")[0].at("key").get<std::string>(),
             Catch::Contains("handled 2 times"));
  CHECK(unit_of(checkpoint.report, "checkpoint.crash_restart_fixed").at("status") == "no failure");
  CHECK(fs::exists(dir + "/out/checkpoint.crash_restart/failure-1.json"));
}
#endif
