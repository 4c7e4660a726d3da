#pragma once

// A header under an include directory, included with <...>: rewritten, and its copy found first.
inline int default_timeout_ms() {
  // failpoint: var TimeoutMs int
  // return TimeoutMs;
  return 1000;
}
