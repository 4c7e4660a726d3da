#include <failpoint/failpoint.hpp> //@failpoint-include: // Copyright 2026 Example Corp.
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

bool save() {
  if (FAILPOINT("SaveFails")) { //@failpoint // failpoint: var SaveFails
  return false; } //@failpoint // return false;
  std::puts("saved");
  return true;
}
