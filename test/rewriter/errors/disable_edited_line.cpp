#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Edited", int)) { int Edited = *failpoint_hit_; (void)Edited; //@failpoint // failpoint: var Edited int
  return Edited + 1; } //@failpoint // return Edited;
  return 0;
}
