// The retry example: a failpoint whose code jumps to a label written as a comment.
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
};

run_result run_retry(const std::string& failpoints) {
  const std::string dir = temp_dir();
  background program({RETRY_EXAMPLE}, {{"FAILPOINTS", failpoints}}, dir + "/out");
  auto status = program.wait(std::chrono::seconds(20));
  REQUIRE(status);
  return {*status, program.output()};
}

}  // namespace

TEST_CASE("retry: without failpoints the first attempt delivers", "[examples][retry]") {
  const run_result r = run_retry("");
  CHECK(r.status.exited);
  CHECK(r.status.code == 0);
  CHECK(count_lines_starting_with(r.output, "attempt 1: sending") == 1);
  CHECK_THAT(r.output, Catch::Contains("delivered after 0 retries"));
}

TEST_CASE("retry: 3*return makes exactly three attempts fail and three retries",
          "[examples][retry]") {
  const run_result r = run_retry("retry.Fails=3*return");
  CHECK(r.status.exited);
  CHECK(r.status.code == 0);
  CHECK(count_lines_starting_with(r.output, "attempt ") == 4 + 3);  // 4 sent, 3 failed
  CHECK(count_lines_starting_with(r.output, "attempt 4: sending") == 1);
  CHECK(r.output.find("attempt 5") == std::string::npos);
  CHECK_THAT(r.output, Catch::Contains("delivered after 3 retries"));
}

TEST_CASE("retry: 1*off->2*return skips the first hit", "[examples][retry]") {
  // The failpoint is hit once, by the first attempt, which then succeeds.
  const run_result r = run_retry("retry.Fails=1*off->2*return");
  CHECK_THAT(r.output, Catch::Contains("delivered after 0 retries"));
}

TEST_CASE("retry: a failpoint that always fires ends in giving up after 5 retries",
          "[examples][retry]") {
  const run_result r = run_retry("retry.Fails=return");
  CHECK(r.status.exited);
  CHECK(r.status.code == 1);
  CHECK(count_lines_starting_with(r.output, "attempt 6: sending") == 1);
  CHECK_THAT(r.output, Catch::Contains("gave up after 5 retries"));
}
