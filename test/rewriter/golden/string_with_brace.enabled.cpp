#include <string>
#include <failpoint/failpoint.hpp> //@failpoint-include:
std::string json() {
  if (FAILPOINT("Json")) { //@failpoint // failpoint: var Json
  return "{ \"broken\": } // not a comment"; } //@failpoint // return "{ \"broken\": } // not a comment";
  return "{}";
}
