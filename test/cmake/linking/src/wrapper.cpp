#include "store.hpp"

int wrapped_limit() {
  return read_limit();
}
