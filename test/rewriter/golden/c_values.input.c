/* C sources get the C form of the site macros. */
#include <stdbool.h>
#include <stddef.h>

static int retries;

int store_save(const char* key, size_t* limit) {
  // failpoint: var SaveFails bool
  // if (SaveFails) return -1;
  // failpoint: var WriteLimit size_t
  // *limit = WriteLimit;
  // failpoint: var Reason const char*
  // (void)Reason;
  // return key[0] == Reason[0] ? -2 : -3;
  // failpoint: var Slow int
  // failpoint: var BeforeWrite
  (void)key;
  return 0;
}

int store_retry(void) {
  retries = 0;
  // failpoint: AGAIN:
  ++retries;
  // failpoint: var Retry int
  // if (retries < Retry) goto AGAIN;
  return retries;
}
