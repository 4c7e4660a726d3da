// Sharded explorations (docs/explorer.md, "Shards and merge") and matrices of walks, on the
// planted programs: shards run as local processes told their index the way each engine does,
// `failpoint-explore merge` combines them, and the merged report equals the unsharded one.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/explorer/support.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace explorer_test;

const std::string planted = PLANTED;

failpoint_test::child_result tool(const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {FAILPOINT_EXPLORE};
  argv.insert(argv.end(), args.begin(), args.end());
  return failpoint_test::run_program(argv, env, std::chrono::seconds(120));
}

}  // namespace

TEST_CASE("3 shards in rounds give the same report as one process", "[explorer][shards]") {
  const std::vector<std::string> command = {planted, "single"};
  const std::string one_dir = failpoint_test::temp_dir();
  const exploration one = explore(one_dir, {"-j", "2"}, command);
  INFO(one.result.out << one.result.err);
  REQUIRE(one.result.status == 1);
  REQUIRE(one.report.at("rounds") == 2);

  // Round 1 with Bazel's variables, round 2 with a Kubernetes Indexed Job's.
  const std::string dir = failpoint_test::temp_dir();
  const exploration sharded = explore_sharded(dir, {"-j", "1"}, command, 3,
                                              {shard_source::bazel, shard_source::indexed_job});
  INFO(sharded.result.out << sharded.result.err);
  CHECK(sharded.result.status == 1);
  CHECK(deterministic_part(sharded.report) == deterministic_part(one.report));
  CHECK(sharded.report.at("shards") == 3);
  // The last merge also wrote the page, whose tree has the combinations under their parents.
  CHECK(failpoint_test::read_file(dir + "/html/index.html").find("failpoint-explore report") !=
        std::string::npos);
  CHECK(one.report.at("shards").is_null());
  // Bazel's protocol: every shard touched its status file.
  for (int i = 0; i < 3; ++i)
    CHECK(fs::exists(dir + "/state/status-" + std::to_string(i)));
  // The state directory as documented.
  for (const char* file : {"baseline.json", "plan-2.json", "finished", "report.json",
                           "round-1/shard-0-of-3.json", "round-2/shard-2-of-3.json"})
    CHECK(fs::exists(dir + "/state/" + file));
  const json shard = json::parse(std::ifstream(dir + "/state/round-1/shard-1-of-3.json"));
  CHECK(shard.at("format") == "failpoint-explore shard");
  CHECK(shard.at("version") == 1);
  for (const json& r : shard.at("runs"))
    CHECK(r.at("position").get<std::size_t>() % 3 == 1);

  // The merged counterexample replays like the unsharded one.
  REQUIRE(sharded.counterexamples.size() == 1);
  const auto r = replay(sharded.counterexamples[0]);
  INFO(r.out);
  CHECK(r.status == 0);

  // A shard started after the end has nothing to run.
  const auto late = tool({"--state", dir + "/state", "--shard", "0/3", "--", planted, "single"});
  CHECK(late.status == 0);
  CHECK_THAT(late.out, Catch::Contains("is finished"));
}

TEST_CASE(
    "shards from --shard and GoogleTest's variables, one shard and more shards than "
    "schedules",
    "[explorer][shards]") {
  const std::vector<std::string> command = {planted, "combo"};
  const std::string one_dir = failpoint_test::temp_dir();
  const exploration one = explore(one_dir, {"-j", "1"}, command);
  REQUIRE(one.result.status == 1);
  for (unsigned total : {1u, 5u}) {
    const std::string dir = failpoint_test::temp_dir();
    const exploration sharded = explore_sharded(dir, {"-j", "1"}, command, total,
                                                {shard_source::flag, shard_source::gtest});
    INFO(total << ": " << sharded.result.out);
    CHECK(deterministic_part(sharded.report) == deterministic_part(one.report));
  }
}

TEST_CASE("merge refuses missing, conflicting and foreign shards, naming them",
          "[explorer][shards]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string state = dir + "/state";
  auto no_round = merge(dir, state + "-none");
  CHECK(no_round.status == 2);

  fs::create_directories(state);
  for (const char* i : {"0", "2"}) {
    const auto r = tool({"--progress", "lines", "--state", state, "--shard", std::string(i) + "/3",
                         "--", planted, "single"});
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
  }
  auto missing = merge(dir, state);
  CHECK(missing.status == 2);
  CHECK_THAT(missing.out, Catch::Contains("round 1 is incomplete: missing shard 1 of 3") &&
                              Catch::Contains("round-1/shard-1-of-3.json"));
  CHECK_FALSE(fs::exists(state + "/plan-2.json"));

  // A shard of another total.
  auto other_total = tool({"--state", state, "--shard", "1/4", "--", planted, "single"});
  REQUIRE(other_total.status == 0);
  auto conflict = merge(dir, state);
  CHECK(conflict.status == 2);
  CHECK_THAT(conflict.out, Catch::Contains("every shard of a round must have the same total"));
  fs::remove(state + "/round-1/shard-1-of-4.json");

  // A shard of another command: refused already by the shared baseline.
  auto foreign = tool({"--state", state, "--shard", "1/3", "--", planted, "combo"});
  CHECK(foreign.status == 2);
  CHECK_THAT(foreign.err, Catch::Contains("belongs to another exploration"));

  // With the baseline gone, the foreign shard runs, and the merge names it.
  fs::remove(state + "/baseline.json");
  REQUIRE(tool({"--state", state, "--shard", "1/3", "--", planted, "combo"}).status == 0);
  auto mixed = merge(dir, state);
  CHECK(mixed.status == 2);
  CHECK_THAT(mixed.out, Catch::Contains("belongs to another exploration") &&
                            Catch::Contains("shard-") && Catch::Contains("argv"));
}

TEST_CASE("shard options and variables are checked", "[explorer][shards]") {
  const std::string dir = failpoint_test::temp_dir();
  auto r = tool({"--shard", "0/3", "--", planted, "single"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("needs --state DIR"));
  r = tool({"--state", dir, "--shard", "3/3", "--", planted, "single"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("shard index 3 is not below the total 3"));
  r = tool({"--state", dir, "--shard", "x", "--", planted, "single"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("expected I/N"));
  r = tool({"--state", dir, "--", planted, "single"}, {{"JOB_COMPLETION_INDEX", "1"}});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--shard-total N or FAILPOINT_EXPLORE_SHARDS"));
  r = tool({"--state", dir, "--", planted, "single"}, {{"TEST_SHARD_INDEX", "1"}});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("TEST_SHARD_INDEX is set without TEST_TOTAL_SHARDS"));
  r = tool({"--state", dir, "--", planted, "single"},
           {{"GTEST_SHARD_INDEX", "a"}, {"GTEST_TOTAL_SHARDS", "2"}});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("GTEST_SHARD_INDEX: \"a\" is not a number"));
  r = tool({"--state", dir, "--", planted, "single"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--state is for shards"));
  // --shard-total with JOB_COMPLETION_INDEX: the shard's file says so.
  r = tool({"--state", dir, "--shard-total", "2", "--", planted, "single"},
           {{"JOB_COMPLETION_INDEX", "1"}});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(fs::exists(dir + "/round-1/shard-1-of-2.json"));
}

TEST_CASE(
    "a matrix runs every walk with a stable id and unrealized walks are not passes - replay "
    "by id",
    "[explorer][matrix]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string m =
      "planted.A=off,return(true),return(false);planted.B=off,return(true);"
      "planted.Nowhere=off,return(1)";
  const exploration e = explore(dir, {"-j", "2", "--matrix", m}, {planted, "combo"});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.status == 1);
  const json& runs = e.report.at("runs");
  CHECK(runs.size() == 12);
  CHECK(e.report.at("matrix").at("walks") == 12);
  std::set<std::string> ids;
  for (const json& r : runs) {
    ids.insert(r.at("walk").get<std::string>());
    const std::string fp = r.at("failpoints");
    // planted.Nowhere is never reached: its walks are not realized, never passes.
    if (fp.find("planted.Nowhere") != std::string::npos)
      CHECK(r.at("outcome") == "not realized");
    else if (fp.find("A=return(true)") != std::string::npos &&
             fp.find("B=return(true)") != std::string::npos)
      CHECK(r.at("outcome") == "fail");
    else
      CHECK(r.at("outcome") == "pass");  // `off` terms: trivially realized
  }
  CHECK(ids.size() == 12);
  CHECK(e.report.at("not_realized").size() == 6);
  REQUIRE(e.report.at("failures").size() == 1);
  const std::string id = e.report.at("failures")[0].at("walk");
  CHECK(e.report.at("failures")[0].at("failpoints") ==
        spec("planted.A=return(true);planted.B=return(true)"));
  CHECK_THAT(e.result.out, Catch::Contains("replay --id " + id));

  const auto again = tool({"replay", "--id", id, "--report", dir + "/report.json"});
  INFO(again.out << again.err);
  CHECK(again.status == 0);
  CHECK_THAT(again.out, Catch::Contains("walk " + id) && Catch::Contains("ended as recorded"));
  const auto unknown = tool({"replay", "--id", "00000000", "--report", dir + "/report.json"});
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.out, Catch::Contains("no walk \"00000000\"") && Catch::Contains("12 walks"));
  // The counterexample of a walk replays like any other.
  REQUIRE(e.counterexamples.size() == 1);
  CHECK(replay(e.counterexamples[0]).status == 0);

  // Sharded: the same walks, ids and outcomes; replay by id from the state directory.
  const std::string sdir = failpoint_test::temp_dir();
  const exploration sharded = explore_sharded(sdir, {"-j", "1", "--matrix", m}, {planted, "combo"},
                                              2, {shard_source::indexed_job});
  CHECK(deterministic_part(sharded.report) == deterministic_part(e.report));
  const auto from_state = tool({"replay", "--id", id, "--state", sdir + "/state"});
  INFO(from_state.out << from_state.err);
  CHECK(from_state.status == 0);
}

TEST_CASE("pairwise walks find a bug two faults trigger in far fewer runs than the product",
          "[explorer][matrix]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string m =
      "planted.P1=off,return(0),return(-1);planted.P2=off,return(0),return(-1);"
      "planted.P3=off,return(0),return(-1);planted.P4=off,return(0),return(-1)";
  const exploration e = explore(dir, {"-j", "2", "--matrix", m, "--pairwise"}, {planted, "pairs"});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 1);
  CHECK(e.report.at("runs").size() < 81 / 4);
  CHECK(e.report.at("matrix").at("pairwise") == true);
  REQUIRE(e.report.at("failures").size() == 1);
  const std::string failing = e.report.at("failures")[0].at("failpoints");
  CHECK_THAT(failing,
             Catch::Contains("planted.P1=return(-1)") && Catch::Contains("planted.P3=return(-1)"));

  const auto no_matrix = tool({"--pairwise", "--", planted, "pairs"});
  CHECK(no_matrix.status == 2);
  CHECK_THAT(no_matrix.err, Catch::Contains("--pairwise needs --matrix"));
  const auto bad = tool({"--matrix", "planted.P1=1*return(0)", "--", planted, "pairs"});
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("--matrix entry \"planted.P1\""));
}

TEST_CASE("the ctest recipe runs shards and merges in rounds as tests", "[explorer][shards]") {
  const std::string one_dir = failpoint_test::temp_dir();
  const exploration one = explore(one_dir, {"-j", "1"}, {planted, "single"});
  REQUIRE(one.result.status == 1);

  // A project that includes the documented recipe: 2 rounds of 3 shards.
  const std::string project = failpoint_test::temp_dir();
  std::ofstream(project + "/CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.16)\nproject(shards NONE)\nenable_testing()\n"
      << "include(\"" << SHARDS_RECIPE << "\")\n"
      << "failpoint_explore_shards(NAME planted SHARDS 3 ROUNDS 2 EXPLORE \"" << FAILPOINT_EXPLORE
      << "\" OPTIONS -j 1 COMMAND \"" << planted << "\" single)\n";
  const std::string build = project + "/build";
  const auto configure = failpoint_test::run_program({CMAKE_COMMAND, "-S", project, "-B", build},
                                                     {}, std::chrono::seconds(120));
  INFO(configure.out << configure.err);
  REQUIRE(configure.status == 0);
  const auto ctest = failpoint_test::run_program(
      {CTEST_COMMAND, "--test-dir", build, "-j", "3", "--output-on-failure"}, {},
      std::chrono::seconds(300));
  INFO(ctest.out << ctest.err);
  // Every shard passes; the last merge fails: the exploration found the planted bug.
  CHECK_THAT(ctest.out, Catch::Contains("1 tests failed out of 9"));
  CHECK_THAT(ctest.out, Catch::Contains("planted_r2_merge (Failed)"));
  const json merged = json::parse(std::ifstream(build + "/planted-state/report.json"));
  CHECK(deterministic_part(merged) == deterministic_part(one.report));
}

TEST_CASE("the Kubernetes Indexed Job manifests' command lines run locally", "[explorer][shards]") {
  // The manifests, read with python3's yaml module into JSON.
  auto load = [](const std::string& file) {
    const auto r = failpoint_test::run_program(
        {"/usr/bin/python3", "-c",
         "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file});
    INFO(r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
  };
  const json job = load(JOB_MANIFEST);
  const json merge_job = load(MERGE_JOB_MANIFEST);
  CHECK(job.at("kind") == "Job");
  CHECK(job.at("spec").at("completionMode") == "Indexed");
  const json& container = job.at("spec").at("template").at("spec").at("containers")[0];
  std::map<std::string, std::string> env;
  for (const json& e : container.at("env"))
    env[e.at("name")] = e.at("value");
  const unsigned total = job.at("spec").at("completions");
  CHECK(job.at("spec").at("parallelism") == total);
  CHECK(env.at("FAILPOINT_EXPLORE_SHARDS") == std::to_string(total));
  const json& merge_container = merge_job.at("spec").at("template").at("spec").at("containers")[0];

  // The containers' command lines, with the tool, the state volume and the test replaced.
  const std::string dir = failpoint_test::temp_dir();
  auto local = [&](const json& command) {
    std::vector<std::string> argv;
    for (const json& word : command) {
      const std::string w = word;
      argv.push_back(w == "failpoint-explore"    ? FAILPOINT_EXPLORE
                     : w.rfind("/state", 0) == 0 ? dir + w
                                                 : w);
    }
    return argv;
  };
  std::vector<std::string> shard_argv = local(container.at("command"));
  CHECK(container.at("args") == json::array({"/tests/functional_test"}));
  shard_argv.push_back(planted);
  shard_argv.push_back("single");
  const std::vector<std::string> merge_argv = local(merge_container.at("command"));
  for (int round = 1; round <= 3 && !fs::exists(dir + "/state/finished"); ++round) {
    std::vector<std::unique_ptr<failpoint_test::background>> pods;
    for (unsigned i = 0; i < total; ++i) {
      std::map<std::string, std::string> pod_env = env;
      pod_env["JOB_COMPLETION_INDEX"] = std::to_string(i);
      pods.push_back(std::make_unique<failpoint_test::background>(
          shard_argv, pod_env, dir + "/pod-" + std::to_string(i) + ".log"));
    }
    for (auto& pod : pods) {
      const auto status = pod->wait(std::chrono::seconds(120));
      INFO(pod->output());
      REQUIRE(status);
      CHECK(status->code == 0);
    }
    const auto m = failpoint_test::run_program(merge_argv, {}, std::chrono::seconds(120));
    INFO(m.out << m.err);
    CHECK(m.status == (fs::exists(dir + "/state/finished") ? 1 : 0));
  }
  REQUIRE(fs::exists(dir + "/state/finished"));
  const json report = json::parse(std::ifstream(dir + "/state/report.json"));
  CHECK(report.at("shards") == total);
  CHECK(failing_schedules(report) ==
        std::vector<std::string>{spec("planted.Save=1*off->1*return(true)->off")});
  CHECK(fs::exists(dir + "/state/out/failure-1.json"));
}
