/* test/perf/perf_sites_c.c: the loop of disabled sites written in C (failpoint/failpoint.h), for
 * check_instructions.cmake: a C site must cost what a C++ site costs. */
#include <failpoint/failpoint.h>

void failpoint_perf_slow_path(void);
long failpoint_perf_slow_count(void);

/* A loop of `n` disabled C sites, compiled into the program. */
__attribute__((noinline)) long failpoint_perf_sites_c(long n) {
  long i;
  for (i = 0; i < n; ++i) {
    if (FAILPOINT("perf.c.disabled"))
      failpoint_perf_slow_path();
  }
  return failpoint_perf_slow_count();
}
