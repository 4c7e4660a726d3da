/* store.c: failpoints written as comments in C. */
#include "store.h"

#include <stdbool.h>
#include <stdio.h>

int store_save(void) {
  // failpoint: var SaveFails bool
  // if (SaveFails) return -1;
  return 0;
}

long store_limit(void) {
  long limit = 100;
  // failpoint: var WriteLimit long
  // limit = WriteLimit;
  return limit;
}

const char* store_reason(void) {
  // failpoint: var Reason const char*
  // return Reason;
  return "ok";
}

int store_retry(void) {
  int attempts = 0;
  // failpoint: AGAIN:
  ++attempts;
  // failpoint: var Retry int
  // if (attempts < Retry) goto AGAIN;
  return attempts;
}

void store_crash_point(void) {
  // failpoint: var Crash
  printf("after crash point\n");
}
