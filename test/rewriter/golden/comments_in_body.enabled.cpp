#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Commented", int)) { int Commented = *failpoint_hit_; (void)Commented; //@failpoint // failpoint: var Commented int
  int y = /* inline */ Commented; //@failpoint // int y = /* inline */ Commented; // trailing
  return y; } //@failpoint // return y; /* trailing block */
  return 0;
}
