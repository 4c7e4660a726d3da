#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Escaped", int)) { int Escaped = *failpoint_hit_; (void)Escaped; //@failpoint // failpoint: var Escaped int
   //@failpoint // // an ordinary comment inside the body
  return Escaped; //@failpoint // return Escaped;
   //@failpoint //
  } //@failpoint // //
  return 0;
}
