// main.cpp: prints what the store does; `gate` first waits at a failpoint (for `pause`).
#include <cstdio>
#include <cstring>

#include "limit.h"
#include "store.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "gate") == 0) {
    // failpoint: var Gate
    std::printf("through the gate\n");
  }
  std::printf("%s, timeout %d, limit %ld\n", save("a").c_str(), read_timeout_ms(), write_limit());
  return 0;
}
