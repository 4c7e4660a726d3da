// test/explorer/support.hpp: what the explorer's tests share on top of failpoint_test_support:
// running failpoint-explore (the real tool, FAILPOINT_EXPLORE) in a child process, and FAILPOINTS
// strings as the explorer writes them. Header-only.
#ifndef FAILPOINT_TEST_EXPLORER_SUPPORT_HPP
#define FAILPOINT_TEST_EXPLORER_SUPPORT_HPP

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
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
  if (std::filesystem::exists(dir + "/report.json"))
    e.report = nlohmann::json::parse(std::ifstream(dir + "/report.json"));
  for (int n = 1;; ++n) {
    const std::string file = dir + "/out/failure-" + std::to_string(n) + ".json";
    if (!std::filesystem::exists(file))
      break;
    e.counterexamples.push_back(file);
  }
  return e;
}

// The FAILPOINTS string of every failure of a report, in order.
inline std::vector<std::string> failing_schedules(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const nlohmann::json& f : report.at("failures"))
    out.push_back(f.at("failpoints").get<std::string>());
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
