#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
#include <string>

std::string json() {
  if (FAILPOINT("Json")) { //@failpoint // failpoint: var Json
  return "{ \"broken\": } // not a comment"; } //@failpoint // return "{ \"broken\": } // not a comment";
  return "{}";
}
