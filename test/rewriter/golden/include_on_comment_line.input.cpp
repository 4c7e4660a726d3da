// Copyright 2026 Example Corp.
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>

bool save() {
  // failpoint: var SaveFails
  // return false;
  std::puts("saved");
  return true;
}
