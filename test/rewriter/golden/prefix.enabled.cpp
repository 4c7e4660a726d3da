#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("pkg/sub.Prefixed", int)) { int Prefixed = *failpoint_hit_; (void)Prefixed; //@failpoint // failpoint: var Prefixed int
  return Prefixed; } //@failpoint // return Prefixed;
  return 0;
}
