// mixed.cpp: a C++ file with its own failpoint, linked with store.c: both in one registry.
#include <cstdio>
#include <string>

#include <failpoint/control.hpp>

extern "C" {
#include "store.h"
}

int main() {
  int cxx = 0;
  // failpoint: var CxxSide int
  // cxx = CxxSide;
  std::printf("cxx %d limit %ld\n", cxx, store_limit());
  for (const failpoint::failpoint_info& fp : failpoint::list())
    std::printf("%s %s %s\n", fp.name.c_str(), fp.type.empty() ? "-" : fp.type.c_str(),
                fp.terms.empty() ? "-" : fp.terms.c_str());
  return 0;
}
