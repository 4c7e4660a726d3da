#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Crlf", int)) { int Crlf = *failpoint_hit_; (void)Crlf; //@failpoint // failpoint: var Crlf int
  return Crlf; } //@failpoint // return Crlf;
  return 0;
}
