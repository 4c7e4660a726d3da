#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int sum(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    if (FAILPOINT("SkipOne")) { //@failpoint // failpoint: var SkipOne
    continue; } //@failpoint // continue;
    if (FAILPOINT("StopEarly")) { //@failpoint // failpoint: var StopEarly
    break; } //@failpoint // break;
    s += i;
  }
  return s;
}
