#include <stdexcept>
#include <failpoint/failpoint.hpp> //@failpoint-include:
int f() {
  if (FAILPOINT("Throws")) { //@failpoint // failpoint: var Throws
  throw std::runtime_error("injected"); } //@failpoint // throw std::runtime_error("injected");
  return 0;
}
