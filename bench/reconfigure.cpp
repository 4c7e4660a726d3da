// bench/reconfigure.cpp: how long reconfiguring a failpoint takes while two threads hit it in a
// loop. Each round enables the failpoint (`return(1)`), enables it with a count the hitters use
// up (`3*return(1)`: the hitting thread that takes the last run retires the configuration), then
// disables it. The latency of each enable and disable call is measured on the calling thread, as
// wall time and as the thread's own CPU time: wall time includes the moments the controller waits
// for a core (three busy threads share two here), CPU time does not.
//
// Usage: failpoint_bench_reconfigure [--rounds N] [--json FILE]
// Prints the percentiles, and with --json writes them for scripts/bench.sh (bench/report.cpp).
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <failpoint/control.hpp>
#include <failpoint/failpoint.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

constexpr const char* name = "bench.reconfigure";

long hit() {
  if (auto fp = FAILPOINT_VALUE("bench.reconfigure", int))
    return *fp;
  return 0;
}

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Wall and CPU nanoseconds of each call of one kind.
struct samples {
  std::vector<double> wall;
  std::vector<double> cpu;
};

template <class F>
void measure(samples& s, F&& f) {
  const double cpu0 = thread_cpu_ns();
  const auto t0 = clock_type::now();
  f();
  const auto t1 = clock_type::now();
  const double cpu1 = thread_cpu_ns();
  s.wall.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  s.cpu.push_back(cpu1 - cpu0);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  const auto at = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(at, v.size() - 1)];
}

nlohmann::json summary(const samples& s) {
  nlohmann::json j;
  j["count"] = s.wall.size();
  j["wall_p50_us"] = percentile(s.wall, 50) / 1e3;
  j["wall_p99_us"] = percentile(s.wall, 99) / 1e3;
  j["wall_max_us"] = percentile(s.wall, 100) / 1e3;
  j["cpu_p50_us"] = percentile(s.cpu, 50) / 1e3;
  j["cpu_p99_us"] = percentile(s.cpu, 99) / 1e3;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"failpoint reconfiguration latency while two threads hit the failpoint"};
  int rounds = 3000;
  std::string json_path;
  app.add_option("--rounds", rounds, "rounds of enable, counted enable, disable")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--json", json_path, "write the figures here");
  CLI11_PARSE(app, argc, argv);

  std::atomic<bool> stop{false};
  std::atomic<long> hits{0};
  std::atomic<long> fired{0};
  std::vector<std::thread> hitters;
  for (int t = 0; t < 2; ++t) {
    hitters.emplace_back([&] {
      long n = 0, f = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        f += hit();
        ++n;
      }
      hits.fetch_add(n);
      fired.fetch_add(f);
    });
  }

  samples enable, enable_counted, disable;
  long unfinished = 0;  // counted configurations the hitters had not used up within 100 ms
  const auto start = clock_type::now();
  for (int r = 0; r < rounds; ++r) {
    measure(enable, [] { failpoint::enable(name, "return(1)"); });
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    measure(enable_counted, [] { failpoint::enable(name, "3*return(1)"); });
    // Let the hitters use the count up (the retirement happens on a hitting thread).
    const auto deadline = clock_type::now() + std::chrono::milliseconds(100);
    while (failpoint::status(name)->active && clock_type::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    if (failpoint::status(name)->active)
      ++unfinished;
    measure(disable, [] { failpoint::disable(name); });
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  stop = true;
  for (auto& t : hitters)
    t.join();

  nlohmann::json j;
  j["rounds"] = rounds;
  j["seconds"] = seconds;
  j["hits"] = hits.load();
  j["fired"] = fired.load();
  j["unfinished_counts"] = unfinished;
  j["enable"] = summary(enable);
  j["enable_counted"] = summary(enable_counted);
  j["disable"] = summary(disable);
  for (const char* op : {"enable", "enable_counted", "disable"}) {
    const auto& s = j[op];
    std::printf(
        "%-15s wall p50 %8.2f us  p99 %8.2f us  max %9.2f us | cpu p50 %7.2f us  p99 %7.2f us\n",
        op, s["wall_p50_us"].get<double>(), s["wall_p99_us"].get<double>(),
        s["wall_max_us"].get<double>(), s["cpu_p50_us"].get<double>(),
        s["cpu_p99_us"].get<double>());
  }
  std::printf(
      "%d rounds in %.2f s; hitters: %ld hits, %ld fired; counts not used up in time: %ld\n",
      rounds, seconds, hits.load(), fired.load(), unfinished);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << j.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "failpoint_bench_reconfigure: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return 0;
}
