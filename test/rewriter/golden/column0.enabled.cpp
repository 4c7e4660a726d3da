#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
int f() {
if (auto failpoint_hit_ = FAILPOINT_VALUE("ColumnZero", int)) { int ColumnZero = *failpoint_hit_; (void)ColumnZero; //@failpoint // failpoint: var ColumnZero int
return ColumnZero; } //@failpoint // return ColumnZero;
return 0;
}
