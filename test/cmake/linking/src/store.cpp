#include "store.hpp"

int read_limit() {
  // failpoint: var Limit int
  // return Limit;
  return 100;
}
