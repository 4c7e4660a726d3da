// The quickstart example (site macros written by hand), run as README.md shows it.
#include <signal.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "files.hpp"
#include "http_call.hpp"

using namespace failpoint_test;

namespace {

struct run_result {
  exit_status status;
  std::string output;
  std::chrono::milliseconds took{0};
};

run_result run_quickstart(const std::string& failpoints) {
  const std::string dir = temp_dir();
  const auto start = std::chrono::steady_clock::now();
  background program({QUICKSTART_EXAMPLE}, {{"FAILPOINTS", failpoints}}, dir + "/out");
  auto status = program.wait(std::chrono::seconds(20));
  REQUIRE(status);
  return {*status, program.output(),
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                start)};
}

}  // namespace

TEST_CASE("quickstart: without failpoints every save works", "[examples][quickstart]") {
  const run_result r = run_quickstart("");
  CHECK(r.status.exited);
  CHECK(r.status.code == 0);
  CHECK_THAT(r.output, Catch::Contains("stored 3 of 3"));
}

TEST_CASE("quickstart: 1*return(true) fails the first save, once", "[examples][quickstart]") {
  const run_result r = run_quickstart("quickstart.SaveFails=1*return(true)");
  CHECK(r.status.exited);
  CHECK(r.status.code == 1);
  CHECK_THAT(r.output, Catch::Contains("save a: FAILED"));
  CHECK_THAT(r.output, Catch::Contains("save b: ok"));
  CHECK_THAT(r.output, Catch::Contains("stored 2 of 3"));
}

TEST_CASE("quickstart: sleep slows every save down", "[examples][quickstart]") {
  const run_result r = run_quickstart("quickstart.SlowSave=sleep(\"100ms\")");
  CHECK(r.status.code == 0);
  CHECK_THAT(r.output, Catch::Contains("stored 3 of 3"));
  CHECK(r.took >= std::chrono::milliseconds(300));
}

TEST_CASE("quickstart: 1*off->panic crashes after the second save", "[examples][quickstart]") {
  const run_result r = run_quickstart("quickstart.Crash=1*off->panic(\"after saving b\")");
  CHECK_FALSE(r.status.exited);
  CHECK(r.status.code == SIGABRT);
  CHECK_THAT(r.output, Catch::Contains("save b: ok"));
  CHECK_THAT(r.output, Catch::Contains("failpoint panic: quickstart.Crash: after saving b"));
  CHECK(r.output.find("save c") == std::string::npos);
}

TEST_CASE("quickstart: a typo in FAILPOINTS exits with status 1", "[examples][quickstart]") {
  const run_result r = run_quickstart("quickstart.SaveFails=retrun(true)");
  CHECK(r.status.exited);
  CHECK(r.status.code == 1);
  CHECK(r.output.find("save a") == std::string::npos);
}
