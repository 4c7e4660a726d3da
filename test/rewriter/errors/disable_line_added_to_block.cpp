#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (FAILPOINT("Grown")) { //@failpoint // failpoint: var Grown
  // return 2;
  return 1; } //@failpoint // return 1;
  return 0;
}
