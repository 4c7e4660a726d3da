// test/perf/perf_sites.hpp: the loops whose instructions the disabled-path check counts.
#ifndef FAILPOINT_TEST_PERF_SITES_HPP
#define FAILPOINT_TEST_PERF_SITES_HPP

#include <atomic>

extern "C" {
// The body of every loop, and how many times it ran (in the shared library).
void failpoint_perf_slow_path();
extern std::atomic<long> failpoint_perf_slow_runs;

// A loop of `n` disabled sites, compiled into the program (position-independent executable).
long failpoint_perf_sites(long n);
// The same loop compiled into a shared library (-fPIC): the site is reached through the GOT.
long failpoint_perf_sites_shared(long n);
// The same loop written in C (perf_sites_c.c), and the run count it reads (C has no std::atomic).
long failpoint_perf_sites_c(long n);
long failpoint_perf_slow_count();
}

#endif  // FAILPOINT_TEST_PERF_SITES_HPP
