// test/perf/perf_sites_shared.cpp: the loop of disabled sites, built into a shared library.
#include <failpoint/failpoint.hpp>

#include "perf_sites.hpp"

#define FAILPOINT_PERF_API __attribute__((visibility("default")))

FAILPOINT_PERF_API std::atomic<long> failpoint_perf_slow_runs{0};

// Every loop's body: the same call after the bare load and after the site.
extern "C" FAILPOINT_PERF_API __attribute__((noinline)) void failpoint_perf_slow_path() {
  failpoint_perf_slow_runs.fetch_add(1, std::memory_order_relaxed);
}

extern "C" FAILPOINT_PERF_API __attribute__((noinline)) long failpoint_perf_sites_shared(long n) {
  for (long i = 0; i < n; ++i) {
    if (FAILPOINT("perf.shared_disabled"))
      failpoint_perf_slow_path();
  }
  return failpoint_perf_slow_runs.load(std::memory_order_relaxed);
}
