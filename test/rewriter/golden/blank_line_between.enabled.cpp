#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("First", int)) { int First = *failpoint_hit_; (void)First; //@failpoint // failpoint: var First int
  return First; } //@failpoint // return First;

  if (auto failpoint_hit_ = FAILPOINT_VALUE("Second", int)) { int Second = *failpoint_hit_; (void)Second; //@failpoint // failpoint: var Second int
  return Second * 2; } //@failpoint // return Second * 2;
  return 0;
}
