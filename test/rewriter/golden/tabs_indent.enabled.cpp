#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
	if (auto failpoint_hit_ = FAILPOINT_VALUE("TabsIndent", int)) { int TabsIndent = *failpoint_hit_; (void)TabsIndent; //@failpoint // failpoint: var TabsIndent int
	return TabsIndent; } //@failpoint // return TabsIndent;
	return 0;
}
