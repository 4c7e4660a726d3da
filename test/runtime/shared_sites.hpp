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

template <class T>
T templated_value() {
  if (auto fp = FAILPOINT_VALUE("registry.template", T))
    return *fp;
  return T();
}

// Defined in sites_other_tu.cpp.
int other_tu_header_value();
int other_tu_two_sites();
long other_tu_template_value();

#endif  // FAILPOINT_TEST_SHARED_SITES_HPP
