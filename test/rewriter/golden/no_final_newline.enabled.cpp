#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("NoFinalNewline", int)) { int NoFinalNewline = *failpoint_hit_; (void)NoFinalNewline; //@failpoint // failpoint: var NoFinalNewline int
  return NoFinalNewline; } //@failpoint // return NoFinalNewline;
  return 0;
}