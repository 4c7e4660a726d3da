#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
const char* text() {
  const char* s = R"(
  // failpoint: var InRawString int
  )";
  if (FAILPOINT("AfterRaw")) { //@failpoint // failpoint: var AfterRaw
  return R"x(})x"; } //@failpoint // return R"x(})x";
  return s;
}
