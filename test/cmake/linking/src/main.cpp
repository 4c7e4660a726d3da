// Waits (bounded) until the file named by argv[1] exists, then prints the failpoint's effect.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "store.hpp"

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  constexpr int k_max_waits = 600;  // 60 s at most: the test gives up long before
  for (int i = 0; i < k_max_waits && !std::ifstream(argv[1]).good(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::printf("limit %d\n", read_limit());
  return 0;
}
