#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f(int x) {
  // failpoint::scoped s("Doubled", "return(2)") in a test switches the failpoint below.
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Doubled", int)) { int Doubled = *failpoint_hit_; (void)Doubled; //@failpoint // failpoint: var Doubled int
  return x * Doubled; } //@failpoint // return x * Doubled;
  return x;
}
