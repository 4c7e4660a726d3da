#include "store.hpp"

#include <cstdio>

#include "helpers.hpp"

bool save(const std::string& key, const std::string& value) {
  // failpoint: var SaveFails
  // return false;
  // failpoint: var SlowSave
  return !key.empty() && !value.empty();
}

int read_limit() {
  int limit = 100;
  // failpoint: var Limit int
  // limit = Limit;
  return limit;
}

void crash_point() {
  // failpoint: var Crash
  std::fflush(stdout);
}

int retry() {
  int attempts = 0;
  // failpoint: AGAIN:
  ++attempts;
  // failpoint: var Retry int
  // if (attempts < Retry) goto AGAIN;
  return attempts;
}

void where() {
  // failpoint: var Where
  // std::printf("%s:%d\n", __FILE__, __LINE__);
}

bool disk_ok() { return check_disk(); }
