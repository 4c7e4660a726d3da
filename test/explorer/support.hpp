// test/explorer/support.hpp: what the explorer's tests share on top of failpoint_test_support:
// running failpoint-explore (the real tool, FAILPOINT_EXPLORE) in a child process, and FAILPOINTS
// strings as the explorer writes them. Header-only.
#ifndef FAILPOINT_TEST_EXPLORER_SUPPORT_HPP
#define FAILPOINT_TEST_EXPLORER_SUPPORT_HPP

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "explorer/schedule.hpp"
#include "files.hpp"

namespace explorer_test {

// A FAILPOINTS string as the explorer writes it: `canonical` ("a=...;b=...") with each entry's
// name after the runtime's entry marker (explorer/schedule.hpp).
inline std::string spec(const std::string& canonical) {
  std::string out;
  bool entry_start = true, quoted = false, escaped = false;
  for (char c : canonical) {
    if (entry_start)
      out += failpoint::explorer::entry_marker();
    out += c;
    if (escaped)
      escaped = false;
    else if (quoted && c == '\\')
      escaped = true;
    else if (c == '"')
      quoted = !quoted;
    entry_start = !quoted && c == ';';
  }
  return out;
}

#ifdef FAILPOINT_EXPLORE
// One exploration: the tool's exit status and output, its report and counterexamples.
struct exploration {
  failpoint_test::child_result result;
  nlohmann::json report;
  std::vector<std::string> counterexamples;  // dir/out/failure-N.json, in order
};

// Reads what an exploration wrote in `dir`: its report (dir/report.json) and its
// counterexamples (dir/out/failure-N.json, in order).
inline void read_outputs(const std::string& dir, exploration& e) {
  if (std::filesystem::exists(dir + "/report.json"))
    e.report = nlohmann::json::parse(std::ifstream(dir + "/report.json"));
  for (int n = 1;; ++n) {
    const std::string file = dir + "/out/failure-" + std::to_string(n) + ".json";
    if (!std::filesystem::exists(file))
      break;
    e.counterexamples.push_back(file);
  }
}

// Runs `failpoint-explore OPTIONS -- COMMAND` with its report and counterexamples in `dir`
// (and plain progress lines unless OPTIONS say otherwise).
inline exploration explore(const std::string& dir, const std::vector<std::string>& options,
                           const std::vector<std::string>& command) {
  std::vector<std::string> argv = {FAILPOINT_EXPLORE, "--out", dir + "/out", "--report",
                                   dir + "/report.json"};
  if (std::find(options.begin(), options.end(), "--progress") == options.end()) {
    argv.push_back("--progress");
    argv.push_back("lines");
  }
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  exploration e;
  e.result = failpoint_test::run_program(argv, {}, std::chrono::seconds(300));
  read_outputs(dir, e);
  return e;
}

// The FAILPOINTS string of every failure of a report, in order.
inline std::vector<std::string> failing_schedules(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const nlohmann::json& f : report.at("failures"))
    out.push_back(f.at("failpoints").get<std::string>());
  return out;
}

// How the shards of a sharded exploration learn which one they are.
enum class shard_source { flag, bazel, gtest, indexed_job };

// One round of shards of a sharded exploration: `total` processes of `failpoint-explore
// OPTIONS --state STATE -- COMMAND` started at once, each told its index the way `how` says
// (--shard I/N; TEST_SHARD_INDEX/TEST_TOTAL_SHARDS with a TEST_SHARD_STATUS_FILE in `state`;
// GTEST_*; JOB_COMPLETION_INDEX with FAILPOINT_EXPLORE_SHARDS). Returns their results by index.
inline std::vector<failpoint_test::child_result> run_shards(const std::string& state,
                                                            const std::vector<std::string>& options,
                                                            const std::vector<std::string>& command,
                                                            unsigned total, shard_source how) {
  std::vector<std::unique_ptr<failpoint_test::background>> shards;
  for (unsigned i = 0; i < total; ++i) {
    std::vector<std::string> argv = {FAILPOINT_EXPLORE, "--progress", "lines", "--state", state};
    std::map<std::string, std::string> env;
    const std::string index = std::to_string(i), n = std::to_string(total);
    switch (how) {
      case shard_source::flag:
        argv.push_back("--shard");
        argv.push_back(index + "/" + n);
        break;
      case shard_source::bazel:
        env = {{"TEST_SHARD_INDEX", index},
               {"TEST_TOTAL_SHARDS", n},
               {"TEST_SHARD_STATUS_FILE", state + "/status-" + index}};
        break;
      case shard_source::gtest:
        env = {{"GTEST_SHARD_INDEX", index}, {"GTEST_TOTAL_SHARDS", n}};
        break;
      case shard_source::indexed_job:
        env = {{"JOB_COMPLETION_INDEX", index}, {"FAILPOINT_EXPLORE_SHARDS", n}};
        break;
    }
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    std::filesystem::create_directories(state);
    shards.push_back(std::make_unique<failpoint_test::background>(
        argv, env, state + "/shard-" + index + ".log"));
  }
  std::vector<failpoint_test::child_result> out;
  for (auto& s : shards) {
    failpoint_test::child_result r;
    const auto status = s->wait(std::chrono::seconds(300));
    r.exited = status && status->exited;
    r.status = status ? status->code : -1;
    r.timed_out = !status;
    r.out = s->output();
    out.push_back(r);
  }
  return out;
}

// Runs `failpoint-explore merge --state STATE --out DIR/out --report DIR/report.json`.
inline failpoint_test::child_result merge(const std::string& dir, const std::string& state) {
  return failpoint_test::run_program(
      {FAILPOINT_EXPLORE, "merge", "--state", state, "--out", dir + "/out", "--report",
       dir + "/report.json", "--html", dir + "/html"},
      {}, std::chrono::seconds(300));
}

// A whole sharded exploration: rounds of `total` shards (the source of their index changes from
// round to round through `hows`, cyclically) and a merge after each, until the merge says the
// exploration is finished. Its report and counterexamples are in `dir` like explore()'s.
inline exploration explore_sharded(const std::string& dir, const std::vector<std::string>& options,
                                   const std::vector<std::string>& command, unsigned total,
                                   const std::vector<shard_source>& hows) {
  const std::string state = dir + "/state";
  exploration e;
  for (std::size_t round = 0; round < 8; ++round) {
    for (const auto& r : run_shards(state, options, command, total, hows[round % hows.size()])) {
      INFO(r.out);
      REQUIRE(r.exited);
      REQUIRE(r.status == 0);
    }
    e.result = merge(dir, state);
    INFO(e.result.out << e.result.err);
    REQUIRE(e.result.exited);
    REQUIRE(e.result.status != 2);
    if (std::filesystem::exists(state + "/finished"))
      break;
  }
  read_outputs(dir, e);
  return e;
}

// What of two reports must be equal whatever ran them (one process or shards): the failpoints,
// every run's schedule, outcome, walk and round in order, the failures' fingerprints, outcomes
// and schedules, the unrealized schedules. Times and re-run counts are left out.
inline nlohmann::json deterministic_part(const nlohmann::json& report) {
  nlohmann::json out = {{"failpoints", report.at("failpoints")},
                        {"not_realized", report.at("not_realized")},
                        {"stopped_by", report.at("stopped_by")},
                        {"left", report.at("left")},
                        {"rounds", report.at("rounds")}};
  for (const nlohmann::json& r : report.at("runs"))
    out["runs"].push_back({{"failpoints", r.at("failpoints")},
                           {"outcome", r.at("outcome")},
                           {"round", r.at("round")},
                           {"walk", r.value("walk", "")},
                           {"parent", r.value("parent", nlohmann::json())}});
  for (const nlohmann::json& f : report.at("failures"))
    out["failures"].push_back({{"fingerprint", f.at("fingerprint")},
                               {"outcome", f.at("outcome")},
                               {"failpoints", f.at("failpoints")},
                               {"walk", f.value("walk", "")}});
  return out;
}

// Runs `failpoint-explore replay FILE`.
inline failpoint_test::child_result replay(const std::string& file, bool expect_pass = false) {
  std::vector<std::string> argv = {FAILPOINT_EXPLORE, "replay", file};
  if (expect_pass)
    argv.push_back("--expect-pass");
  return failpoint_test::run_program(argv, {}, std::chrono::seconds(60));
}
#endif

}  // namespace explorer_test

#endif  // FAILPOINT_TEST_EXPLORER_SUPPORT_HPP
