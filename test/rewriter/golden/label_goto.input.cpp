#include <cstdio>

void retry() {
  int tries = 0;
  // failpoint: RETRY:
  for (int i = 0; i < 3; ++i) {
    std::printf("%d\n", i);
    ++tries;
    // failpoint: var RetryLabel
    // if (tries < 5) goto RETRY;
  }
}
