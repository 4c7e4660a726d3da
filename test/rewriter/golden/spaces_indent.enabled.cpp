#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
    if (auto failpoint_hit_ = FAILPOINT_VALUE("SpacesIndent", int)) { int SpacesIndent = *failpoint_hit_; (void)SpacesIndent; //@failpoint // failpoint: var SpacesIndent int
    return SpacesIndent; } //@failpoint // return SpacesIndent;
    return 0;
}
