/* The C "store" of the C end-to-end test: each function has a failpoint written as comments. */
#ifndef C_STORE_H
#define C_STORE_H

#include <stddef.h>

/* 0 when saved, -1 when the SaveFails failpoint fired with true. */
int store_save(void);
/* The write limit: 100, or the value of WriteLimit. */
long store_limit(void);
/* "ok", or the string of Reason. */
const char* store_reason(void);
/* How many attempts a send took: 1, or Retry's value through a label and goto. */
int store_retry(void);
/* Reaches the Crash failpoint (no value: panic, sleep... act there). */
void store_crash_point(void);

#endif
