// bench/explore_target.cpp: what scripts/bench.sh measures failpoint-explore with.
//   explore_target test           a trivial passing test: bench.Step (int) hit 8 times, then
//                                 bench.Flag (bool) once; failpoint-explore explores it
//   explore_target hits N         times N hits of bench.Step (armed by FAILPOINTS or by tracing)
//                                 and prints the nanoseconds per hit
//   explore_target summary FILE   prints the explorer's figures from a --report file as JSON
//   explore_target describe FILE  prints scripts/bench.sh's explore.json as sentences
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "failpoint/failpoint.hpp"

namespace {

int step(int x) {
  if (auto fp = FAILPOINT_VALUE("bench.Step", int))
    x += *fp;
  return x;
}

int test() {
  int sum = 0;
  for (int i = 0; i < 8; ++i)
    sum = step(sum);
  if (auto fp = FAILPOINT_VALUE("bench.Flag", bool))
    sum += *fp ? 1 : 0;
  return sum < 0 ? 0 : 0;  // every fault is handled: the test passes
}

int hits(long n) {
  volatile int sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i)
    sink = step(sink);
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("%.2f\n", std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
  return 0;
}

// Own cost per run is meaningful with -j1: wall time minus the runs' own wall time.
int summary(const char* file) {
  const nlohmann::json r = nlohmann::json::parse(std::ifstream(file));
  const nlohmann::json& t = r.at("timing");
  const double wall = t.at("wall_seconds"), runs = t.at("process_seconds");
  const double processes = t.at("processes"), candidates = t.at("candidates");
  const double scheduling = t.at("scheduling_seconds");
  const nlohmann::json out = {
      {"processes", processes},
      {"wall_s", wall},
      {"runs_per_s", processes / wall},
      {"test_run_ms", 1000 * runs / processes},
      {"own_ms_per_run", 1000 * (wall - runs) / processes},
      {"own_cpu_ms_per_run", 1000 * t.at("own_cpu_seconds").get<double>() / processes},
      {"candidates", candidates},
      {"scheduling_ms_per_candidate", candidates > 0 ? 1000 * scheduling / candidates : 0.0},
  };
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// Prints the explorer's figures of scripts/bench.sh's explore.json as three lines.
int describe(const char* file) {
  const nlohmann::json r = nlohmann::json::parse(std::ifstream(file));
  const nlohmann::json &j1 = r.at("j1"), &d2 = r.at("depth2");
  const double off = r.at("off_hit_ns"), traced = r.at("traced_off_hit_ns");
  std::printf(
      "explorer, -j1 depth 1: %.0f runs in %.0f ms: %.1f runs/s; a test run %.2f ms; the "
      "explorer's own cost %.2f ms per run (target < 10), of which %.2f ms of its own CPU\n",
      j1.at("processes").get<double>(), 1000 * j1.at("wall_s").get<double>(),
      j1.at("runs_per_s").get<double>(), j1.at("test_run_ms").get<double>(),
      j1.at("own_ms_per_run").get<double>(), j1.at("own_cpu_ms_per_run").get<double>());
  std::printf(
      "explorer, depth 2: %.0f candidates, scheduling %.4f ms per candidate (target < 0.1)\n",
      d2.at("candidates").get<double>(), d2.at("scheduling_ms_per_candidate").get<double>());
  std::printf(
      "trace: a hit of a failpoint armed with off: %.2f ns untraced, %.2f ns traced: "
      "%.2f ns per traced hit (target < 100)\n",
      off, traced, traced - off);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "test")
    return test();
  if (mode == "hits" && argc > 2)
    return hits(std::atol(argv[2]));
  if (mode == "summary" && argc > 2)
    return summary(argv[2]);
  if (mode == "describe" && argc > 2)
    return describe(argv[2]);
  std::fprintf(
      stderr,
      "usage: explore_target test | hits N | summary REPORT.json | describe EXPLORE.json\n");
  return 2;
}
