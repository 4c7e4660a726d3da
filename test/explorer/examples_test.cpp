// failpoint-explore on the examples' functional tests (README.md, "Exploring faults"): it finds
// the services' and the checkpoint's bugs without a hand-written fault test, and nothing in the
// fixed programs.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test/explorer/support.hpp"

namespace {

using namespace explorer_test;

}  // namespace

#ifdef SERVICES_FOO
TEST_CASE("exploring the services' functional test finds foo's mishandled connection error",
          "[explorer][examples]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"-j", "2", "--faults", SERVICES_FAULTS},
                                {SERVICES_TEST, SERVICES_FOO, SERVICES_BAR, SERVICES_BAZ});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.exited);
  CHECK(e.result.status == 1);
  // 3 faults at foo.CallBar, 3 at bar.CallBaz, 1 at baz.Unavailable, each hit once; no
  // combination: after a fault nothing else is reached (the call it replaced is not made).
  CHECK(e.report.at("runs").size() == 7);
  CHECK(failing_schedules(e.report) ==
        std::vector<std::string>{spec("foo.CallBar=1*return(\"refused\")->off")});
  CHECK_THAT(e.report.at("failures")[0].at("key").get<std::string>(),
             Catch::Contains("foo must answer 503, not 500"));
  CHECK(e.report.at("failures")[0].at("failed_again") == 3);
  const auto r = replay(dir + "/out/failure-1.json");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("replay: reproduced (fail, same fingerprint)"));
}

TEST_CASE("exploring the services with the fixed foo finds nothing", "[explorer][examples]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"-j", "2", "--faults", SERVICES_FAULTS},
                                {SERVICES_TEST, SERVICES_FOO_FIXED, SERVICES_BAR, SERVICES_BAZ});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 0);
  CHECK(e.report.at("runs").size() == 7);
  CHECK(e.report.at("failures").empty());
  CHECK(e.report.at("not_realized").empty());
}
#endif

TEST_CASE("exploring the checkpoint's crash-restart test finds the double handling",
          "[explorer][examples]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"-j", "2", "--with", "panic"},
                                {"/bin/sh", CHECKPOINT_TEST, CHECKPOINT_WATCHER});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 1);
  // A crash after any event's handling, before its save: the restart handles it again.
  CHECK(failing_schedules(e.report) ==
        std::vector<std::string>{spec("checkpoint.BeforeSave=1*panic->off")});
  CHECK_THAT(e.report.at("failures")[0].at("key").get<std::string>(),
             Catch::Contains("handled 2 times"));

  const std::string fixed_dir = failpoint_test::temp_dir();
  const exploration fixed = explore(fixed_dir, {"-j", "2", "--with", "panic"},
                                    {"/bin/sh", CHECKPOINT_TEST, CHECKPOINT_WATCHER_FIXED});
  INFO(fixed.result.out << fixed.result.err);
  CHECK(fixed.result.status == 0);
  CHECK(fixed.report.at("failures").empty());
  // The crashes pass now, and the schedules they start are explored too: more runs.
  CHECK(fixed.report.at("runs").size() > e.report.at("runs").size());
}
