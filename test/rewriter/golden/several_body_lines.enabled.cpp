#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f(int x) {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Several", int)) { int Several = *failpoint_hit_; (void)Several; //@failpoint // failpoint: var Several int
  int y = Several + 1; //@failpoint // int y = Several + 1;
  if (y > x) { //@failpoint // if (y > x) {
  return y; //@failpoint //   return y;
  } } //@failpoint // }
  return x;
}
