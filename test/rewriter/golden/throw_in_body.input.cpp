#include <stdexcept>

int f() {
  // failpoint: var Throws
  // throw std::runtime_error("injected");
  return 0;
}
