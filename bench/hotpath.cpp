// bench/hotpath.cpp: the cost of a failpoint site, off and on, against a bare relaxed load and
// against libfiu's fiu_fail, each at 1 and 2 threads, in one Google Benchmark run.
//
// The cases that cost about a cycle (the baseline, the disabled sites, and libfiu's disabled
// call beside them) run 8 operations per benchmark iteration, written out one after another, so
// that the harness's loop (a decrement and a branch) and the loop's alignment weigh little; the
// others run one. Every case reports `ops_per_iteration`, and scripts/bench.sh divides by it and
// reports each case as a ratio to `baseline` measured in the same run. The figure that counts is
// CPU time per operation per thread (Google Benchmark sums CPU time and iterations over threads):
// it does not grow when the machine is shared and a thread waits for a core, but it does grow when
// two threads contend for a cache line, so "flat from 1 to 2 threads" means the same figure on both
// rows.
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include <benchmark/benchmark.h>

#define FIU_ENABLE 1
#include <fiu-control.h>
#include <fiu.h>

#include <failpoint/control.hpp>
#include <failpoint/failpoint.hpp>

#include "other_sites.hpp"

// The baseline's flag: external linkage, so the compiler cannot prove it is never set and drop
// the load (clang does that to a never-written atomic in an unnamed namespace).
std::atomic<bool> failpoint_bench_baseline_flag{false};

namespace {

// Terms that never run out: the body runs on every hit.
constexpr const char* return_one = "return(1)";
// The same for the 500 other failpoints, which carry no value.
constexpr const char* return_plain = "return";

std::atomic<long> slow_path_runs{0};

// The body of the baseline and of the disabled sites: a call that must never happen. Cold, like
// the site's own armed path, so the baseline's loop has the site's shape: load, test, a branch
// to a cold section, and the loop's own decrement and branch.
[[gnu::noinline, gnu::cold]] void slow_path() {
  slow_path_runs.fetch_add(1, std::memory_order_relaxed);
}

// Operations per iteration of the unrolled cases.
constexpr int unrolled = 8;
#define FAILPOINT_BENCH_X8(statement) \
  statement statement statement statement statement statement statement statement

void set_ops_per_iteration(benchmark::State& state, int ops) {
  state.counters["ops_per_iteration"] =
      benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kAvgThreads);
}

// Marks the case failed when the body ran a different number of times than expected.
void expect_fired(benchmark::State& state, long fired, long expected) {
  if (fired != expected)
    state.SkipWithError(
        ("the body ran " + std::to_string(fired) + " times, expected " + std::to_string(expected))
            .c_str());
}

// Enables `name` with `terms` on the first thread before the timed loop starts (the loop starts
// with a barrier across threads) and disables it after the loop.
class enabled_while {
 public:
  enabled_while(const benchmark::State& state, const char* name, const char* terms)
      : first_(state.thread_index() == 0), name_(name) {
    if (first_)
      failpoint::enable(name_, terms);
  }
  enabled_while(const enabled_while&) = delete;
  enabled_while& operator=(const enabled_while&) = delete;
  ~enabled_while() {
    if (first_)
      failpoint::disable(name_);
  }

 private:
  bool first_;
  const char* name_;
};

// The same, for the 500 other failpoints.
class others_enabled_while {
 public:
  explicit others_enabled_while(const benchmark::State& state) : first_(state.thread_index() == 0) {
    if (first_)
      failpoint_bench::set_other_sites(return_plain);
  }
  others_enabled_while(const others_enabled_while&) = delete;
  others_enabled_while& operator=(const others_enabled_while&) = delete;
  ~others_enabled_while() {
    if (first_)
      failpoint_bench::set_other_sites(nullptr);
  }

 private:
  bool first_;
};

// --- The physical limit: one relaxed load and one predicted-false branch. ---

void baseline(benchmark::State& state) {
  for (auto _ : state) {
    FAILPOINT_BENCH_X8(if (FAILPOINT_DETAIL_UNLIKELY(failpoint_bench_baseline_flag.load(
                               std::memory_order_relaxed))) slow_path();)
  }
  set_ops_per_iteration(state, unrolled);
  expect_fired(state, slow_path_runs.load(std::memory_order_relaxed), 0);
}

// --- failpoint ---

void disabled_site(benchmark::State& state) {
  for (auto _ : state) {
    FAILPOINT_BENCH_X8(if (FAILPOINT("bench.disabled")) slow_path();)
  }
  set_ops_per_iteration(state, unrolled);
  expect_fired(state, slow_path_runs.load(std::memory_order_relaxed), 0);
}

void disabled_site_500_others_enabled(benchmark::State& state) {
  others_enabled_while others(state);
  for (auto _ : state) {
    FAILPOINT_BENCH_X8(if (FAILPOINT("bench.disabled")) slow_path();)
  }
  set_ops_per_iteration(state, unrolled);
  expect_fired(state, slow_path_runs.load(std::memory_order_relaxed), 0);
}

void enabled_off(benchmark::State& state) {
  enabled_while on(state, "bench.off", "off");
  long fired = 0;
  for (auto _ : state) {
    if (FAILPOINT("bench.off"))
      ++fired;
  }
  expect_fired(state, fired, 0);
}

void return_1(benchmark::State& state) {
  enabled_while on(state, "bench.return", return_one);
  long sum = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.return", int))
      sum += *fp;
  }
  expect_fired(state, sum, static_cast<long>(state.iterations()));
}

void return_1_500_others_enabled(benchmark::State& state) {
  others_enabled_while others(state);
  enabled_while on(state, "bench.return", return_one);
  long sum = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.return", int))
      sum += *fp;
  }
  expect_fired(state, sum, static_cast<long>(state.iterations()));
}

void percent50_return_1(benchmark::State& state) {
  enabled_while on(state, "bench.percent", "50%return(1)");
  long sum = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.percent", int))
      sum += *fp;
  }
  benchmark::DoNotOptimize(sum);
  const auto n = static_cast<long>(state.iterations());
  if (n >= 10000 && (sum < n / 3 || sum > 2 * n / 3))
    expect_fired(state, sum, n / 2);
}

// The same with a body the compiler makes branch-free: what remains of the difference to
// `99%return(1)` is the runtime's own branch on the roll.
void percent50_cmov(benchmark::State& state) {
  enabled_while on(state, "bench.percent", "50%return(1)");
  long sum = 0;
  for (auto _ : state) {
    auto fp = FAILPOINT_VALUE("bench.percent", int);
    const bool f = static_cast<bool>(fp);
    const int v = *fp;
    sum += f * v;
  }
  benchmark::DoNotOptimize(sum);
}
// `99%return(1)` and `1%return(1)`: the roll with an outcome the branch predictor gets right.
void predictable_roll(benchmark::State& state, const char* terms) {
  enabled_while on(state, "bench.roll", terms);
  long sum = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.roll", int))
      sum += *fp;
  }
  benchmark::DoNotOptimize(sum);
}
void percent99_return_1(benchmark::State& state) {
  predictable_roll(state, "99%return(1)");
}
void percent1_return_1(benchmark::State& state) {
  predictable_roll(state, "1%return(1)");
}

// `1000000*return(1)`: when the count is used up the failpoint goes back to the free path; the
// thread that sees the first miss re-enables it with timing paused.
std::mutex reenable_mutex;

void count_1000000_return_1(benchmark::State& state) {
  constexpr const char* name = "bench.count";
  constexpr const char* terms = "1000000*return(1)";
  enabled_while on(state, name, terms);
  long sum = 0;
  long misses = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.count", int)) {
      sum += *fp;
    } else {
      ++misses;
      state.PauseTiming();
      {
        std::lock_guard<std::mutex> lock(reenable_mutex);
        auto info = failpoint::status(name);
        if (info && !info->active)
          failpoint::enable(name, terms);
      }
      state.ResumeTiming();
    }
  }
  expect_fired(state, sum + misses, static_cast<long>(state.iterations()));
  state.counters["refills"] = benchmark::Counter(static_cast<double>(misses));
}

void chain_3_last_fires(benchmark::State& state) {
  // The first two terms are used up by two hits before timing; then every hit walks past them.
  enabled_while on(state, "bench.chain", "1*return(3)->1*return(2)->return(1)");
  if (state.thread_index() == 0) {
    for (int i = 0; i < 2; ++i) {
      if (auto fp = FAILPOINT_VALUE("bench.chain", int))
        benchmark::DoNotOptimize(*fp);
    }
  }
  long sum = 0;
  for (auto _ : state) {
    if (auto fp = FAILPOINT_VALUE("bench.chain", int))
      sum += *fp;
  }
  expect_fired(state, sum, static_cast<long>(state.iterations()));
}

// --- libfiu 1.1 (Debian's libfiu-dev), the same shapes ---

// Enables or disables 500 other fiu points, like set_other_sites.
void set_other_fiu_points(bool on) {
  for (std::size_t n = 0; n < failpoint_bench::other_site_count; ++n) {
    const std::string name = "bench/fiu/other/" + std::to_string(n);
    if (on) {
      fiu_enable(name.c_str(), 1, nullptr, 0);
    } else {
      fiu_disable(name.c_str());
    }
  }
}

class fiu_others_enabled_while {
 public:
  fiu_others_enabled_while(const benchmark::State& state, bool on)
      : active_(on && state.thread_index() == 0) {
    if (active_)
      set_other_fiu_points(true);
  }
  fiu_others_enabled_while(const fiu_others_enabled_while&) = delete;
  fiu_others_enabled_while& operator=(const fiu_others_enabled_while&) = delete;
  ~fiu_others_enabled_while() {
    if (active_)
      set_other_fiu_points(false);
  }

 private:
  bool active_;
};

void fiu_disabled(benchmark::State& state, bool others_enabled) {
  fiu_others_enabled_while others(state, others_enabled);
  for (auto _ : state) {
    FAILPOINT_BENCH_X8(if (fiu_fail("bench/fiu/disabled")) slow_path();)
  }
  set_ops_per_iteration(state, unrolled);
  expect_fired(state, slow_path_runs.load(std::memory_order_relaxed), 0);
}

void fiu_enabled(benchmark::State& state, bool others_enabled) {
  fiu_others_enabled_while others(state, others_enabled);
  constexpr const char* name = "bench/fiu/enabled";
  if (state.thread_index() == 0)
    fiu_enable(name, 1, nullptr, 0);
  long sum = 0;
  for (auto _ : state) {
    if (int v = fiu_fail(name))
      sum += v;
  }
  expect_fired(state, sum, static_cast<long>(state.iterations()));
  if (state.thread_index() == 0)
    fiu_disable(name);
}

void fiu_fail_disabled(benchmark::State& state) {
  fiu_disabled(state, false);
}
void fiu_fail_disabled_500_others_enabled(benchmark::State& state) {
  fiu_disabled(state, true);
}
void fiu_fail_enabled(benchmark::State& state) {
  fiu_enabled(state, false);
}
void fiu_fail_enabled_500_others_enabled(benchmark::State& state) {
  fiu_enabled(state, true);
}

// Every case at 1 and 2 threads.
void each_case(benchmark::internal::Benchmark* b) {
  b->Threads(1)->Threads(2);
}

}  // namespace

BENCHMARK(baseline)->Apply(each_case);
BENCHMARK(disabled_site)->Apply(each_case);
BENCHMARK(disabled_site_500_others_enabled)->Apply(each_case);
BENCHMARK(enabled_off)->Apply(each_case);
BENCHMARK(return_1)->Apply(each_case);
BENCHMARK(return_1_500_others_enabled)->Apply(each_case);
BENCHMARK(percent50_return_1)->Apply(each_case);
BENCHMARK(percent99_return_1)->Apply(each_case);
BENCHMARK(percent50_cmov)->Apply(each_case);
BENCHMARK(percent1_return_1)->Apply(each_case);
BENCHMARK(count_1000000_return_1)->Apply(each_case);
BENCHMARK(chain_3_last_fires)->Apply(each_case);
BENCHMARK(fiu_fail_disabled)->Apply(each_case);
BENCHMARK(fiu_fail_disabled_500_others_enabled)->Apply(each_case);
BENCHMARK(fiu_fail_enabled)->Apply(each_case);
BENCHMARK(fiu_fail_enabled_500_others_enabled)->Apply(each_case);

int main(int argc, char** argv) {
  if (fiu_init(0) != 0) {
    std::fprintf(stderr, "failpoint_bench_hotpath: fiu_init failed\n");
    return 1;
  }
  // The other sites must be compiled in and registered whether or not a case enables them.
  if (failpoint_bench::hit_other_sites() != 0) {
    std::fprintf(stderr, "failpoint_bench_hotpath: other failpoints are on (FAILPOINTS set?)\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
