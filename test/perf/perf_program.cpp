// test/perf/perf_program.cpp: loops of N disabled failpoint sites and a loop of N bare relaxed
// loads, for check_instructions.cmake to count under `valgrind --tool=callgrind`.
//
// Usage: failpoint_perf_program MODE N
//   baseline       N relaxed loads of an atomic<bool> and predicted-false branches
//   sites          N disabled sites
//   sites-others   N disabled sites while other failpoints (one sharing the translation unit
//                  and one in the shared library) are enabled with return(1)
//   sites-shared   N disabled sites in a shared library
//   sites-c        N disabled sites written in C (failpoint/failpoint.h)
// Each loop is its own extern "C" function, so callgrind's --toggle-collect counts exactly it.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <failpoint/control.hpp>
#include <failpoint/failpoint.hpp>

#include "perf_sites.hpp"

extern "C" {

// The baseline's flag. External linkage and a store in main keep the compiler from proving it
// constant (clang folds a never-written internal atomic and drops the load).
std::atomic<bool> failpoint_perf_flag{false};

__attribute__((noinline)) long failpoint_perf_baseline(long n) {
  for (long i = 0; i < n; ++i) {
    if (FAILPOINT_DETAIL_UNLIKELY(failpoint_perf_flag.load(std::memory_order_relaxed)))
      failpoint_perf_slow_path();
  }
  return failpoint_perf_slow_runs.load(std::memory_order_relaxed);
}

__attribute__((noinline)) long failpoint_perf_sites(long n) {
  for (long i = 0; i < n; ++i) {
    if (FAILPOINT("perf.disabled"))
      failpoint_perf_slow_path();
  }
  return failpoint_perf_slow_runs.load(std::memory_order_relaxed);
}

long failpoint_perf_slow_count() {
  return failpoint_perf_slow_runs.load(std::memory_order_relaxed);
}

// Other failpoints, enabled in the sites-others mode.
__attribute__((noinline)) long failpoint_perf_other() {
  long fired = 0;
  if (FAILPOINT("perf.other.a"))
    ++fired;
  if (auto fp = FAILPOINT_VALUE("perf.other.b", int))
    fired += *fp;
  return fired;
}
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s baseline|sites|sites-others|sites-shared|sites-c N\n", argv[0]);
    return 2;
  }
  const char* mode = argv[1];
  failpoint_perf_flag.store(std::strcmp(mode, "-") == 0, std::memory_order_relaxed);
  const long n = std::strtol(argv[2], nullptr, 10);
  long fired = 0;
  if (std::strcmp(mode, "baseline") == 0) {
    fired = failpoint_perf_baseline(n);
  } else if (std::strcmp(mode, "sites") == 0) {
    fired = failpoint_perf_sites(n);
  } else if (std::strcmp(mode, "sites-others") == 0) {
    failpoint::enable("perf.other.a", "return");
    failpoint::enable("perf.other.b", "return(1)");
    if (failpoint_perf_other() != 2) {
      std::fprintf(stderr, "the other failpoints did not fire\n");
      return 1;
    }
    fired = failpoint_perf_sites(n);
  } else if (std::strcmp(mode, "sites-shared") == 0) {
    fired = failpoint_perf_sites_shared(n);
  } else if (std::strcmp(mode, "sites-c") == 0) {
    fired = failpoint_perf_sites_c(n);
  } else {
    std::fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  if (fired != 0) {
    std::fprintf(stderr, "a disabled site fired %ld times\n", fired);
    return 1;
  }
  return 0;
}
