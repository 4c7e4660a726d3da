#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  AGAIN:; //@failpoint // failpoint: AGAIN:
  int n = 0;
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Again", bool)) { bool Again = *failpoint_hit_; (void)Again; //@failpoint // failpoint: var Again bool
  if (Again && n++ < 3) goto AGAIN; } //@failpoint // if (Again && n++ < 3) goto AGAIN;
  return n;
}

int g() {
  AGAIN:; //@failpoint // failpoint: AGAIN:
  int m = 0;
  if (FAILPOINT("AgainG")) { //@failpoint // failpoint: var AgainG
  goto AGAIN; } //@failpoint // goto AGAIN;
  return m;
}
