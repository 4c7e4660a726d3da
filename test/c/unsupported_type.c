/* A C failpoint whose value type the runtime cannot set (a mutable char*: the string belongs to
 * the runtime) must not compile; c.unsupported_type checks the compiler's message. */
#include <failpoint/failpoint.h>

char* name(void) {
  char* n = 0;
  if (FAILPOINT_VALUE("Name", char*, &n))
    return n;
  return n;
}
