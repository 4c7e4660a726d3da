// failpoint-explore on the examples' functional tests (README.md, "Exploring faults"): it finds
// the services' and the checkpoint's bugs without a hand-written fault test, and nothing in the
// fixed programs.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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

#ifdef FAILPOINT_GATE
namespace {

// The run of `e` whose FAILPOINTS is `canonical` (as the explorer writes it), or null.
nlohmann::json run_of(const exploration& e, const std::string& canonical) {
  for (const nlohmann::json& run : e.report.at("runs"))
    if (run.at("failpoints") == spec(canonical))
      return run;
  return nullptr;
}

}  // namespace

TEST_CASE("exploring the services with a gate between bar and baz reaches the gate's faults",
          "[explorer][examples][gate]") {
  const std::string dir = failpoint_test::temp_dir();
  // Single faults only: the gate has 28 failpoints, each with its type's default faults (no
  // value: `return`; integers: return(0), return(-1)), about 45 runs of ~30 ms (1 s for those
  // that make bar's call to baz time out). --timeout: such a run is not a hang on a busy machine.
  const exploration e =
      explore(dir,
              {"-j", "2", "--depth", "1", "--max-runs", "80", "--time-budget", "120", "--timeout",
               "10", "--faults", SERVICES_GATE_FAULTS},
              {SERVICES_TEST, SERVICES_FOO, SERVICES_BAR, SERVICES_BAZ, FAILPOINT_GATE});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.exited);
  CHECK(e.result.status == 1);
  CHECK(e.report.at("stopped_by").is_null());

  // The baseline reached the gate's failpoints (the gate process is traced like the services):
  // a request and its answer pass each direction's per-chunk failpoints, and the gate accepted.
  const nlohmann::json& reached = e.report.at("failpoints");
  for (const char* name :
       {"gate.bb.accept", "gate.bb.to_server.close_on_data", "gate.bb.to_client.close_on_data",
        "gate.bb.to_server.delay", "gate.bb.to_client.substitute", "foo.CallBar", "bar.CallBaz"})
    CHECK(reached.contains(name));
  CHECK(reached.at("gate.bb.to_client.close_on_data").at("hits") == 1);

  // The gate closes bar's connection to baz when the request (to_server) or baz's answer
  // (to_client) arrives: bar sees a connection error and answers 503, which foo passes on. The
  // buggy foo mishandles a connection error from bar, not from baz: bar shields it, so network
  // faults between bar and baz do not reach foo's bug, and these runs pass.
  for (const char* canonical : {"gate.bb.to_server.close_on_data=1*return->off",
                                "gate.bb.to_client.close_on_data=1*return->off"}) {
    const nlohmann::json run = run_of(e, canonical);
    INFO(canonical);
    REQUIRE(run.is_object());
    CHECK(run.at("outcome") == "pass");
    CHECK(run.at("realized") == true);
  }

  // The menu's substitution (gate_faults.json) rewrites "baz" on the wire. Towards baz it makes
  // the request GET /bad: baz answers 404 and bar 503, a pass. Towards bar it changes the body:
  // bar has no way to tell, and foo answers 200 "foo bar bad" although a fault fired.
  const nlohmann::json to_server =
      run_of(e, "gate.bb.to_server.substitute=1*return(\"baz->bad\")->off");
  REQUIRE(to_server.is_object());
  CHECK(to_server.at("outcome") == "pass");
  const std::string corrupted = "gate.bb.to_client.substitute=1*return(\"baz->bad\")->off";
  const nlohmann::json to_client = run_of(e, corrupted);
  REQUIRE(to_client.is_object());
  CHECK(to_client.at("outcome") == "fail");
  CHECK(to_client.at("realized") == true);
  CHECK_THAT(to_client.at("key").get<std::string>(),
             Catch::Contains("foo must answer 503, not 200 foo bar bad"));

  // Every failure is a 200 under a fault that fired: besides the substitution, faults that
  // change nothing here (a delay of 0 ms, a hold of one 10 ms check, slices of 0 bytes...),
  // which the functional test's oracle (any fault injected: expect 503) counts as failures.
  // None is foo's 500.
  const std::vector<std::string> failing = failing_schedules(e.report);
  CHECK(std::find(failing.begin(), failing.end(), spec(corrupted)) != failing.end());
  for (const nlohmann::json& f : e.report.at("failures"))
    CHECK_THAT(f.at("key").get<std::string>(),
               Catch::Contains("a fault was injected, so foo must answer 503, not 200 foo bar"));
}
#endif
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
