#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
void f() {
  if (FAILPOINT("TrailingNewline")) {} //@failpoint // failpoint: var TrailingNewline
}


