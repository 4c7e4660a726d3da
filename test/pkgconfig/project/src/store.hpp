// store.hpp: a header with a failpoint of its own (rewritten like the sources).
#pragma once

#include <string>

std::string save(const std::string& key);

inline int read_timeout_ms() {
  int timeout = 1000;
  // failpoint: var TimeoutMs int
  // timeout = TimeoutMs;
  return timeout;
}
