// The checkpoint example: a crash between handling an event and saving its revision makes the
// watcher handle the event twice after a restart; the fixed watcher never does. The real
// programs run in child processes, switched by FAILPOINTS or over HTTP.
#include <signal.h>

#include <string>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "files.hpp"
#include "http_call.hpp"

using namespace failpoint_test;

namespace {

const std::string buggy = CHECKPOINT_WATCHER;
const std::string fixed = CHECKPOINT_WATCHER_FIXED;

// Runs the watcher once over what the log holds, with `failpoints` as FAILPOINTS.
exit_status drain(const std::string& program, const std::string& dir,
                  const std::string& failpoints = "") {
  background watcher({program, "--drain", dir}, {{"FAILPOINTS", failpoints}}, dir + "/watcher.out");
  auto status = watcher.wait(std::chrono::seconds(20));
  REQUIRE(status);
  return *status;
}

int times_handled(const std::string& dir, int rev) {
  return count_lines_starting_with(read_file(dir + "/notifications.log"),
                                   "rev " + std::to_string(rev) + ":");
}

// Crashes the watcher right after it handled event 2 (event 1 goes through), then restarts it
// without failpoints.
void crash_at_second_event_then_restart(const std::string& program, const std::string& dir) {
  append_file(dir + "/events.log", "PUT /config/mode fast\nPUT /config/mode safe\n");
  const exit_status crashed = drain(program, dir, "checkpoint.BeforeSave=1*off->panic");
  CHECK_FALSE(crashed.exited);
  CHECK(crashed.code == SIGABRT);
  CHECK_THAT(read_file(dir + "/watcher.out"),
             Catch::Contains("failpoint panic: checkpoint.BeforeSave"));
  CHECK(read_file(dir + "/checkpoint") == "1\n");
  CHECK(times_handled(dir, 2) == 1);

  const exit_status restarted = drain(program, dir);
  CHECK(restarted.exited);
  CHECK(restarted.code == 0);
  CHECK(read_file(dir + "/checkpoint") == "2\n");
  CHECK(times_handled(dir, 1) == 1);
}

}  // namespace

TEST_CASE("without failpoints each watcher handles every event once", "[examples][checkpoint]") {
  for (const std::string& program : {buggy, fixed}) {
    const std::string dir = temp_dir();
    append_file(dir + "/events.log", "PUT a 1\nPUT b 2\nPUT c 3\n");
    const exit_status s = drain(program, dir);
    CHECK(s.exited);
    CHECK(s.code == 0);
    CHECK(read_file(dir + "/notifications.log") ==
          "rev 1: PUT a 1\nrev 2: PUT b 2\nrev 3: PUT c 3\n");
    CHECK(read_file(dir + "/checkpoint") == "3\n");
    // A restart handles nothing again.
    drain(program, dir);
    CHECK(count_lines_starting_with(read_file(dir + "/notifications.log"), "rev ") == 3);
  }
}

TEST_CASE("the buggy watcher handles an event twice after a crash before saving (FAILPOINTS)",
          "[examples][checkpoint]") {
  const std::string dir = temp_dir();
  crash_at_second_event_then_restart(buggy, dir);
  CHECK(times_handled(dir, 2) == 2);  // the bug, made visible
}

TEST_CASE("the fixed watcher handles no event twice after the same crash (FAILPOINTS)",
          "[examples][checkpoint]") {
  const std::string dir = temp_dir();
  crash_at_second_event_then_restart(fixed, dir);
  CHECK(times_handled(dir, 2) == 1);
}

// The demo's path: a running watcher, the fault set with a PUT, an event fed, the crash.
// Returns how many times event 1 was handled once the restarted watcher has drained the log.
int crash_over_http_then_restart(const std::string& program) {
  const std::string dir = temp_dir();
  const std::string addr_file = dir + "/addr";
  background watcher({program, dir},
                     {{"FAILPOINTS_HTTP", "127.0.0.1:0"}, {"FAILPOINTS_HTTP_ADDR_FILE", addr_file}},
                     dir + "/watcher.out");
  if (!eventually([&] { return read_file(addr_file).find(':') != std::string::npos; }))
    FAIL("the watcher did not publish its endpoint; it printed: " << watcher.output());
  std::string address = read_file(addr_file);
  address.erase(address.find_last_not_of(" \r\n") + 1);

  failpoint::ctl::response list = call(address, "GET", "/");
  CHECK(list.status == 200);
  CHECK_THAT(list.body, Catch::Contains("checkpoint.BeforeSave=\n"));
  CHECK(call(address, "PUT", "/checkpoint.BeforeSave", "panic").status == 204);
  CHECK(call(address, "GET", "/").body.find("checkpoint.BeforeSave=panic") != std::string::npos);
  const failpoint::ctl::response count = call(address, "GET", "/checkpoint.BeforeSave/count");
  CHECK(count.status == 200);
  CHECK((count.body == "0" || count.body == "0\n"));

  append_file(dir + "/events.log", "PUT /chapter5/watch_file value1\n");
  const auto crashed = watcher.wait(std::chrono::seconds(10));
  REQUIRE(crashed);
  CHECK_FALSE(crashed->exited);
  CHECK(crashed->code == SIGABRT);
  CHECK(times_handled(dir, 1) == 1);

  drain(program, dir);
  return times_handled(dir, 1);
}

TEST_CASE("over HTTP: PUT panic, feed an event, crash, restart: the buggy watcher duplicates it",
          "[examples][checkpoint][http]") {
  CHECK(crash_over_http_then_restart(buggy) == 2);
}

TEST_CASE("over HTTP: the same steps with the fixed watcher handle the event once",
          "[examples][checkpoint][http]") {
  CHECK(crash_over_http_then_restart(fixed) == 1);
}
