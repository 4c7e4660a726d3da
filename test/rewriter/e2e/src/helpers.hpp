#pragma once

// A header next to the sources, included with quotes: rewritten too.
inline bool check_disk() {
  // failpoint: var DiskFull
  // return false;
  return true;
}
