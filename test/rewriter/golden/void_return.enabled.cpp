#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
void f(int* out) {
  if (FAILPOINT("VoidReturn")) { //@failpoint // failpoint: var VoidReturn
  return; } //@failpoint // return;
  *out = 1;
}
