// test/runtime/shared_sites.hpp: a failpoint in an inline function of a header included by
// several translation units (one site), for the registry tests.
#ifndef FAILPOINT_TEST_SHARED_SITES_HPP
#define FAILPOINT_TEST_SHARED_SITES_HPP

#include "failpoint/failpoint.hpp"

inline int shared_header_value() {
  if (auto fp = FAILPOINT_VALUE("registry.header", int))
    return *fp;
  return 0;
}

// Inlined into every caller: the site's entry in the section repeats, the site is one.
__attribute__((always_inline)) inline int inlined_value() {
  if (auto fp = FAILPOINT_VALUE("registry.inlined", int))
    return *fp;
  return 0;
}

// Called by nobody: the compiler drops it, and its site with it.
inline int never_called_value() {
  if (auto fp = FAILPOINT_VALUE("registry.never_called", int))
    return *fp;
  return 0;
}

template <class T>
T templated_value() {
  if (auto fp = FAILPOINT_VALUE("registry.template", T))
    return *fp;
  return T();
}

// Defined in sites_other_tu.cpp.
int other_tu_header_value();
int other_tu_inlined_value();
int other_tu_two_sites();
long other_tu_template_value();

#endif  // FAILPOINT_TEST_SHARED_SITES_HPP
