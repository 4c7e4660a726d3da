// failpoint-explore on programs with planted bugs (planted.cpp): the real tool runs in a child
// process; the test reads its report and replays every counterexample it wrote.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/explorer/support.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace explorer_test;

// Every counterexample replays: the same outcome, with every planned fault fired.
void check_replays(const exploration& e) {
  for (const std::string& file : e.counterexamples) {
    const auto r = replay(file);
    INFO(file << ": " << r.out << r.err);
    CHECK(r.exited);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("replay: reproduced"));
  }
}

const std::string planted = PLANTED;

}  // namespace

TEST_CASE("explore finds a fault planted at one hit and keeps its smallest schedule",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "1", "-j", "2"}, {planted, "single"});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.exited);
  CHECK(e.result.status == 1);
  // planted.Save (3 hits, 2 faults): once at 1, 2, 3 and from 1, 2: 10; planted.Log: 1.
  CHECK(e.report.at("runs").size() == 11);
  // Once at hit 2, from 1 on and from 2 on fail alike: one failure, the smallest schedule kept.
  CHECK(failing_schedules(e.report) ==
        std::vector<std::string>{spec("planted.Save=1*off->1*return(true)->off")});
  CHECK(e.report.at("failures")[0].at("outcome") == "fail");
  CHECK(e.report.at("failures")[0].at("failed_again") == 3);
  CHECK(e.report.at("failpoints").at("planted.Save").at("hits") == 3);
  CHECK(e.report.at("failpoints").at("planted.Save").at("stable") == true);
  CHECK_THAT(e.result.out, Catch::Contains("FAILPOINTS='" +
                                           spec("planted.Save=1*off->1*return(true)->off") + "'"));
  REQUIRE(e.counterexamples.size() == 1);
  const json c = json::parse(std::ifstream(e.counterexamples[0]));
  CHECK(c.at("version") == 1);
  CHECK(c.at("failpoints") == spec("planted.Save=1*off->1*return(true)->off"));
  CHECK(c.at("schedule")[0].at("hit") == 2);
  CHECK(c.at("schedule")[0].at("mode") == "once");
  CHECK_THAT(c.at("stderr_tail").get<std::string>(), Catch::Contains("saved == 3"));
  CHECK(fs::exists(dir + "/out/failure-1.sh"));
  CHECK(fs::exists(dir + "/out/failure-1.cmake"));
  check_replays(e);

  // Exploring again into the same directory leaves only this exploration's files.
  std::ofstream(dir + "/out/failure-7.json") << "{}";
  std::ofstream(dir + "/out/notes.txt") << "mine";
  const exploration again = explore(dir, {"--depth", "1", "--reproduce", "0"}, {planted, "combo"});
  CHECK(again.result.status == 0);
  CHECK_FALSE(fs::exists(dir + "/out/failure-1.json"));
  CHECK_FALSE(fs::exists(dir + "/out/failure-7.json"));
  CHECK(fs::exists(dir + "/out/notes.txt"));
}

TEST_CASE("the one-line shell reproducer reproduces the failure", "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "1", "--reproduce", "0"}, {planted, "single"});
  REQUIRE(e.counterexamples.size() == 1);
  const auto r = failpoint_test::run_program({"/bin/sh", dir + "/out/failure-1.sh"});
  CHECK(r.exited);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("Assertion failed: saved == 3 (saved 2)"));
}

TEST_CASE("explore finds a bug only a combination of two faults triggers", "[explorer][explore]") {
  const std::string one = failpoint_test::temp_dir();
  const exploration singles = explore(one, {"--depth", "1"}, {planted, "combo"});
  CHECK(singles.result.status == 0);
  CHECK(singles.report.at("runs").size() == 4);
  CHECK(singles.report.at("failures").empty());

  const std::string two = failpoint_test::temp_dir();
  const exploration pairs = explore(two, {"--depth", "2", "-j", "2"}, {planted, "combo"});
  INFO(pairs.result.out << pairs.result.err);
  CHECK(pairs.result.status == 1);
  // Depth 2 adds a fault only at what a run reached after its first fault: planted.B after
  // planted.A (2 x 2 pairs), nothing after planted.B. 4 single + 4 pairs.
  CHECK(pairs.report.at("runs").size() == 8);
  CHECK(failing_schedules(pairs.report) ==
        std::vector<std::string>{
            spec("planted.A=1*return(true)->off;planted.B=1*return(true)->off")});
  check_replays(pairs);
}

TEST_CASE("a failpoint hit by many threads gets only faults at every hit", "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {}, {planted, "threads"});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 1);
  CHECK(e.report.at("failpoints").at("planted.Worker").at("stable") == false);
  CHECK(e.report.at("runs").size() == 2);  // return(true) and return(false) from hit 1 on
  CHECK(failing_schedules(e.report) ==
        std::vector<std::string>{spec("planted.Worker=return(true)")});
  CHECK(e.report.at("failures")[0].at("outcome") == "crash");
  check_replays(e);
}

TEST_CASE("a crash, a hang and a sanitizer report are each classified", "[explorer][explore]") {
  struct expectation {
    std::vector<std::string> options;
    std::vector<std::string> command;
    std::string outcome;
    std::string failpoints;
  };
  const expectation cases[] = {
      {{}, {planted, "crash"}, "crash", spec("planted.Crash=1*return->off")},
      {{"--timeout", "0.5", "--reproduce", "1"},
       {planted, "hang"},
       "hang",
       spec("planted.Hang=1*return->off")},
      {{}, {PLANTED_UBSAN, "ubsan"}, "sanitizer", spec("planted.Overflow=1*return(0)->off")},
  };
  for (const expectation& x : cases) {
    const std::string dir = failpoint_test::temp_dir();
    const exploration e = explore(dir, x.options, x.command);
    INFO(x.command[1] << ": " << e.result.out << e.result.err);
    CHECK(e.result.status == 1);
    CHECK(failing_schedules(e.report) == std::vector<std::string>{x.failpoints});
    REQUIRE(!e.report.at("failures").empty());
    CHECK(e.report.at("failures")[0].at("outcome") == x.outcome);
    check_replays(e);
  }
}

TEST_CASE("a planned fault that never fires is reported as not realized, not as a pass",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string counter = dir + "/runs";
  const exploration e = explore(dir, {"-j", "1"}, {planted, "flaky", counter});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 0);
  // The baselines saw 2 hits; later runs only 1: once at 2 never fires, even when retried.
  CHECK(e.report.at("not_realized") == json::array({spec("planted.Flaky=1*off->1*return->off")}));
  CHECK_THAT(e.result.out, Catch::Contains("NOT REALIZED"));
  int attempts = 0;
  for (const json& r : e.report.at("runs")) {
    if (r.at("outcome") == "not realized")
      attempts = r.at("attempts").get<int>();
  }
  CHECK(attempts == 2);
}

TEST_CASE("a command without failpoints or with a failing baseline is refused",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration none = explore(dir, {}, {"/bin/true"});
  CHECK(none.result.status == 2);
  CHECK_THAT(none.result.out, Catch::Contains("reached no failpoint"));
  const exploration failing = explore(dir, {}, {planted, "no-such-mode"});
  CHECK(failing.result.status == 2);
  CHECK_THAT(failing.result.out, Catch::Contains("does not pass without faults"));
  const exploration usage = explore(dir, {"--depth", "0"}, {planted, "single"});
  CHECK(usage.result.status == 2);
}

TEST_CASE("the same inputs give the same runs with one job and with several",
          "[explorer][explore]") {
  auto runs_of = [](const json& report) {
    std::vector<std::string> out;
    for (const json& r : report.at("runs"))
      out.push_back(r.at("failpoints").get<std::string>() + " " +
                    r.at("outcome").get<std::string>());
    return out;
  };
  const std::string a = failpoint_test::temp_dir(), b = failpoint_test::temp_dir();
  const exploration one = explore(a, {"-j", "1", "--reproduce", "0"}, {planted, "single"});
  const exploration many = explore(b, {"-j", "3", "--reproduce", "0"}, {planted, "single"});
  CHECK(runs_of(one.report) == runs_of(many.report));
  CHECK(failing_schedules(one.report) == failing_schedules(many.report));
}

TEST_CASE("a run budget (max-runs) stops the exploration and says how many schedules were left",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--max-runs", "5", "--depth", "1"}, {planted, "single"});
  CHECK(e.report.at("runs").size() == 5);
  CHECK(e.report.at("left") == 6);
  CHECK(e.report.at("stopped_by") == "max runs");
  CHECK_THAT(e.result.out, Catch::Contains("stopped by max runs; 6 schedules left"));
}

TEST_CASE("replay checks that the planned faults fired and rejects a bad file",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "1", "--reproduce", "0"}, {planted, "single"});
  REQUIRE(e.counterexamples.size() == 1);
  json c = json::parse(std::ifstream(e.counterexamples[0]));
  c["command"]["argv"][1] = "combo";  // a program that never reaches planted.Save
  const std::string moved = dir + "/moved.json";
  std::ofstream(moved) << c.dump();
  const auto r = replay(moved);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Contains("the planned faults did not all fire"));

  c["version"] = 99;
  std::ofstream(moved) << c.dump();
  const auto bad = replay(moved);
  CHECK(bad.status == 2);
  CHECK_THAT(bad.out, Catch::Contains("has version 99"));
}

TEST_CASE("a fault menu file adds faults by glob and a bad one is refused", "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  std::ofstream(dir + "/menu.json") << R"j({"planted.L*": ["print(\"x\")"]})j";
  const exploration e =
      explore(dir, {"--depth", "1", "--faults", dir + "/menu.json"}, {planted, "single"});
  CHECK(e.report.at("failpoints").at("planted.Log").at("faults") ==
        json::array({"return", "print(\"x\")"}));
  CHECK(e.report.at("runs").size() == 12);

  std::ofstream(dir + "/bad.json") << R"j({"planted.*": ["2*panic"]})j";
  const exploration bad = explore(dir, {"--faults", dir + "/bad.json"}, {planted, "single"});
  CHECK(bad.result.status == 2);
  CHECK_THAT(bad.result.err, Catch::Contains("is not a single term without count"));
}

TEST_CASE("a time budget and fail-fast stop the exploration and say what was left",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  // The two baseline runs alone take longer than a millisecond: no schedule starts.
  const exploration budget =
      explore(dir, {"--time-budget", "0.001", "--depth", "1"}, {planted, "single"});
  CHECK(budget.result.status == 0);
  CHECK(budget.report.at("runs").empty());
  CHECK(budget.report.at("left") == 11);
  CHECK(budget.report.at("stopped_by") == "time budget");

  const std::string dir2 = failpoint_test::temp_dir();
  const exploration fast =
      explore(dir2, {"--fail-fast", "-j", "1", "--depth", "1"}, {planted, "single"});
  CHECK(fast.result.status == 1);
  CHECK(fast.report.at("stopped_by") == "fail-fast");
  CHECK(fast.report.at("failures").size() == 1);
  CHECK(fast.report.at("runs").size() + fast.report.at("left").get<std::size_t>() == 11);
  CHECK(fast.report.at("runs").back().at("outcome") == "fail");
}

TEST_CASE("a command that cannot run and a bad opt-in fault are usage errors",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration missing = explore(dir, {}, {dir + "/no-such-program"});
  CHECK(missing.result.status == 2);
  CHECK_THAT(missing.result.err, Catch::Contains("cannot run"));
  const exploration with = explore(dir, {"--with", "1*panic->off"}, {planted, "single"});
  CHECK(with.result.status == 2);
  CHECK_THAT(with.result.err, Catch::Contains("--with: \"1*panic->off\" is not a single term"));
  const exploration typo = explore(dir, {"--with", "panik"}, {planted, "single"});
  CHECK(typo.result.status == 2);
  CHECK_THAT(typo.result.err, Catch::Contains("unknown action"));
}

TEST_CASE("the CMake snippet of a counterexample is a test that fails with the bug",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  // Two failpoints: FAILPOINTS holds a `;`, which CMake's ENVIRONMENT list must keep.
  const exploration e = explore(dir, {"--reproduce", "0"}, {planted, "combo"});
  REQUIRE(e.counterexamples.size() == 1);
  const std::string project = dir + "/project";
  fs::create_directories(project);
  std::ofstream(project + "/CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.16)\nproject(regression NONE)\nenable_testing()\n"
      << "include(" << dir << "/out/failure-1.cmake)\n";
  const auto configure = failpoint_test::run_program(
      {CMAKE_COMMAND, "-S", project, "-B", project + "/build"}, {}, std::chrono::seconds(120));
  INFO(configure.out << configure.err);
  REQUIRE(configure.status == 0);
  const auto test = failpoint_test::run_program(
      {CTEST_COMMAND, "--test-dir", project + "/build", "--output-on-failure"}, {},
      std::chrono::seconds(120));
  INFO(test.out << test.err);
  CHECK(test.status != 0);
  CHECK_THAT(test.out, Catch::Contains("failpoint_counterexample_1 ") &&
                           Catch::Contains("Assertion failed: both replicas down"));
}

TEST_CASE("progress is a redrawn bar on a terminal and plain lines otherwise",
          "[explorer][explore]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration bar = explore(dir, {"--depth", "1", "--progress", "bar"}, {planted, "combo"});
  CHECK_THAT(bar.result.out, Catch::Contains("\r\033[K[") && Catch::Contains("] 4/4 runs"));
  // explore() asks for lines: no escape sequence, one line per run at this size.
  const exploration lines = explore(dir, {"--depth", "1"}, {planted, "combo"});
  CHECK(lines.result.out.find('\033') == std::string::npos);
  CHECK_THAT(lines.result.out, Catch::Contains("explore: 4/4 runs of this depth"));
}
