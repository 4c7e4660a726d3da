/* C sources get the C form of the site macros. */
#include <stdbool.h>
#include <stddef.h>
#include <failpoint/failpoint.hpp> //@failpoint-include:
static int retries;

int store_save(const char* key, size_t* limit) {
  { bool SaveFails; if (FAILPOINT_VALUE("SaveFails", bool, &SaveFails)) { //@failpoint // failpoint: var SaveFails bool
  if (SaveFails) return -1; } } //@failpoint // if (SaveFails) return -1;
  { size_t WriteLimit; if (FAILPOINT_VALUE("WriteLimit", size_t, &WriteLimit)) { //@failpoint // failpoint: var WriteLimit size_t
  *limit = WriteLimit; } } //@failpoint // *limit = WriteLimit;
  { const char* Reason; if (FAILPOINT_VALUE("Reason", const char*, &Reason)) { //@failpoint // failpoint: var Reason const char*
  (void)Reason; //@failpoint // (void)Reason;
  return key[0] == Reason[0] ? -2 : -3; } } //@failpoint // return key[0] == Reason[0] ? -2 : -3;
  { int Slow; if (FAILPOINT_VALUE("Slow", int, &Slow)) {} } //@failpoint // failpoint: var Slow int
  if (FAILPOINT("BeforeWrite")) {} //@failpoint // failpoint: var BeforeWrite
  (void)key;
  return 0;
}

int store_retry(void) {
  retries = 0;
  AGAIN:; //@failpoint // failpoint: AGAIN:
  ++retries;
  { int Retry; if (FAILPOINT_VALUE("Retry", int, &Retry)) { //@failpoint // failpoint: var Retry int
  if (retries < Retry) goto AGAIN; } } //@failpoint // if (retries < Retry) goto AGAIN;
  return retries;
}
