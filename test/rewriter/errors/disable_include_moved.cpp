int x;
#include <failpoint/failpoint.hpp> //@failpoint-include
void f() {
  if (FAILPOINT("Moved")) {} //@failpoint // failpoint: var Moved
}
