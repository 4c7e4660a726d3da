/* limit.c: C with a failpoint, in the same program. */
#include "limit.h"

long write_limit(void) {
  long limit = 100;
  // failpoint: var WriteLimit long
  // limit = WriteLimit;
  return limit;
}
