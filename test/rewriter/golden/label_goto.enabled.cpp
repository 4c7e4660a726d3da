#include <cstdio>
#include <failpoint/failpoint.hpp> //@failpoint-include:
void retry() {
  int tries = 0;
  RETRY:; //@failpoint // failpoint: RETRY:
  for (int i = 0; i < 3; ++i) {
    std::printf("%d\n", i);
    ++tries;
    if (FAILPOINT("RetryLabel")) { //@failpoint // failpoint: var RetryLabel
    if (tries < 5) goto RETRY; } //@failpoint // if (tries < 5) goto RETRY;
  }
}
