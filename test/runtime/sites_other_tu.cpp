// test/runtime/sites_other_tu.cpp: failpoint sites in a second translation unit.
#include "failpoint/failpoint.hpp"

#include "shared_sites.hpp"

int other_tu_header_value() {
  return shared_header_value();
}

int other_tu_inlined_value() {
  return inlined_value();
}

int other_tu_two_sites() {
  if (auto fp = FAILPOINT_VALUE("registry.two_tus", int))
    return *fp;
  return 0;
}

long other_tu_template_value() {
  return templated_value<long>();
}
