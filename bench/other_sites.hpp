// bench/other_sites.hpp: 500 registered failpoints besides the ones the benchmarks hit.
//
// A site's cost when off must not depend on how many other failpoints are on; these are the
// "others" of the `..._500_others_enabled` cases. They are real sites (FAILPOINT expansions in
// distinct template instantiations, each with its own name), registered at startup.
#ifndef FAILPOINT_BENCH_OTHER_SITES_HPP
#define FAILPOINT_BENCH_OTHER_SITES_HPP

#include <cstddef>

namespace failpoint_bench {

// How many other failpoints there are.
inline constexpr std::size_t other_site_count = 500;

// Enables every other failpoint with `terms` (e.g. "return(1)"), or disables them all (nullptr).
void set_other_sites(const char* terms);

// Hits every other site once; returns how many fired (keeps the sites from being optimized out).
std::size_t hit_other_sites();

}  // namespace failpoint_bench

#endif  // FAILPOINT_BENCH_OTHER_SITES_HPP
