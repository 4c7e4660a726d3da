#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f(void) {
  if (FAILPOINT("CFile")) { //@failpoint // failpoint: var CFile
  return -1; } //@failpoint // return -1;
  return 0;
}
