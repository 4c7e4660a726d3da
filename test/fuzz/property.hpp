// test/fuzz/property.hpp: how the fuzz targets report a violated property.
// abort() makes libFuzzer save the input as a crash; the message says which property failed.
#ifndef FAILPOINT_TEST_FUZZ_PROPERTY_HPP
#define FAILPOINT_TEST_FUZZ_PROPERTY_HPP

#include <cstdio>
#include <cstdlib>
#include <string>

namespace failpoint_fuzz {

// Prints "property violated: WHAT" (and `detail`, when given) and aborts.
[[noreturn]] inline void property_failed(const char* what, const std::string& detail = {}) {
  if (detail.empty()) {
    std::fprintf(stderr, "property violated: %s\n", what);
  } else {
    std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  }
  std::abort();
}

// Aborts through property_failed unless `ok`.
inline void check(bool ok, const char* what) {
  if (!ok)
    property_failed(what);
}

}  // namespace failpoint_fuzz

#endif  // FAILPOINT_TEST_FUZZ_PROPERTY_HPP
