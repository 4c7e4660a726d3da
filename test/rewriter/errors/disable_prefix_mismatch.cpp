#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
void f() {
  if (FAILPOINT("pkg.Named")) {} //@failpoint // failpoint: var Named
}
