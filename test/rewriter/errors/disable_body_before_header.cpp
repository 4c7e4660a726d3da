#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  return 1; } //@failpoint // return Orphan;
  return 0;
}
