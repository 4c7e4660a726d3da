#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  /* see the note above: a // failpoint: var X comment would be rewritten */
  /*
   * failpoint: docs say nothing here
   */
  if (FAILPOINT("Real")) { //@failpoint // failpoint: var Real
  return 1; } //@failpoint // return 1;
  return 0;
}
