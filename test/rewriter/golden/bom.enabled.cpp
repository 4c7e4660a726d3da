#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Bom", int)) { int Bom = *failpoint_hit_; (void)Bom; //@failpoint // failpoint: var Bom int
  return Bom; } //@failpoint // return Bom;
  return 0;
}
