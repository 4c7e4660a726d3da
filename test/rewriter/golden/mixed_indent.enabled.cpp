#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
 	 if (auto failpoint_hit_ = FAILPOINT_VALUE("Mixed", int)) { int Mixed = *failpoint_hit_; (void)Mixed; //@failpoint // failpoint: var Mixed int
	  return Mixed; } //@failpoint // return Mixed;
  return 0;
}
