#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
void f() {
  if (FAILPOINT("OneLineA")) {} //@failpoint // failpoint: var OneLineA
  if (FAILPOINT("OneLineB")) {} //@failpoint // failpoint: var OneLineB
  if (auto failpoint_hit_ = FAILPOINT_VALUE("OneLineC", int)) { int OneLineC = *failpoint_hit_; (void)OneLineC; } //@failpoint // failpoint: var OneLineC int
  int x = 0;
  (void)x;
}
