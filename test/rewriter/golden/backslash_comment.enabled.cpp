#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  // a comment that continues \
  // failpoint: var NotAHeader int
  if (FAILPOINT("AfterSplice")) { //@failpoint // failpoint: var AfterSplice
  return 1; } //@failpoint // return 1;
  return 0;
}
