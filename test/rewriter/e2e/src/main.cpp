// The end-to-end program: each command exercises one failpoint.
#include <cstdio>
#include <string>

#include <e2e/limits.hpp>
#include "store.hpp"

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "save";
  if (cmd == "save") {
    std::puts(save("key", "value") ? "saved" : "save failed");
  } else if (cmd == "limit") {
    std::printf("limit %d\n", read_limit());
  } else if (cmd == "crash") {
    crash_point();
    std::puts("survived");
  } else if (cmd == "retry") {
    std::printf("attempts %d\n", retry());
  } else if (cmd == "where") {
    where();
  } else if (cmd == "timeout") {
    std::printf("timeout %d\n", default_timeout_ms());
  } else if (cmd == "disk") {
    std::puts(disk_ok() ? "disk ok" : "disk full");
  } else if (cmd == "file") {
    std::puts(__FILE__);
  }
  return 0;
}
