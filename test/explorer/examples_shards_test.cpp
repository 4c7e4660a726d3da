// The examples explored in shards and as matrices (docs/explorer.md, "Shards and merge" and
// "Matrices"): the services' exploration in 3 shards equals the unsharded one; a matrix over the
// checkpoint's failpoint gives walk ids, and one walk replays by its id.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/explorer/support.hpp"

namespace {

using json = nlohmann::json;
using namespace explorer_test;

}  // namespace

#ifdef SERVICES_FOO
TEST_CASE("the services explored in 3 shards give the unsharded report", "[explorer][shards]") {
  const std::vector<std::string> options = {"-j", "1", "--faults", SERVICES_FAULTS};
  const std::vector<std::string> command = {SERVICES_TEST, SERVICES_FOO, SERVICES_BAR,
                                            SERVICES_BAZ};
  const std::string one_dir = failpoint_test::temp_dir();
  const exploration one = explore(one_dir, options, command);
  INFO(one.result.out << one.result.err);
  REQUIRE(one.result.status == 1);

  const std::string dir = failpoint_test::temp_dir();
  const exploration sharded =
      explore_sharded(dir, options, command, 3,
                      {shard_source::bazel, shard_source::indexed_job, shard_source::flag});
  INFO(sharded.result.out << sharded.result.err);
  CHECK(sharded.result.status == 1);
  CHECK(deterministic_part(sharded.report) == deterministic_part(one.report));
  REQUIRE(sharded.counterexamples.size() == 1);
  const auto r = replay(sharded.counterexamples[0]);
  INFO(r.out);
  CHECK(r.status == 0);
}
#endif

TEST_CASE("a matrix over the checkpoint's failpoint gives walk ids and replays one walk",
          "[explorer][matrix]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e =
      explore(dir, {"-j", "2", "--matrix", "checkpoint.BeforeSave=off,return,sleep(10),panic"},
              {"/bin/sh", CHECKPOINT_TEST, CHECKPOINT_WATCHER});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.status == 1);
  const json& runs = e.report.at("runs");
  REQUIRE(runs.size() == 4);
  std::string panic_walk, sleep_walk;
  for (const json& r : runs) {
    const std::string fp = r.at("failpoints");
    INFO(fp);
    CHECK(r.at("walk").get<std::string>().size() == 8);
    if (fp.find("panic") != std::string::npos) {
      // Panic at the first save: the restart handles the first event again.
      CHECK(r.at("outcome") == "fail");
      CHECK_THAT(r.at("key").get<std::string>(), Catch::Contains("handled 2 times"));
      panic_walk = r.at("walk");
    } else {
      CHECK(r.at("outcome") == "pass");
      if (fp.find("sleep") != std::string::npos)
        sleep_walk = r.at("walk");
    }
  }
  REQUIRE(e.report.at("failures").size() == 1);
  CHECK(e.report.at("failures")[0].at("walk") == panic_walk);
  for (const std::string& id : {panic_walk, sleep_walk}) {
    const auto r = failpoint_test::run_program(
        {FAILPOINT_EXPLORE, "replay", "--id", id, "--report", dir + "/report.json"}, {},
        std::chrono::seconds(60));
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("walk " + id) && Catch::Contains("ended as recorded"));
  }
}
