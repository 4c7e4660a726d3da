/* failpoint/control.h: switching failpoints from C (tests, tools, a C program's own control).
 *
 * The C face of failpoint/control.hpp: the same registry, terms and behaviour. Errors are return
 * codes; failpoint_last_error() gives the message (naming the input, the byte position and what
 * was expected, or the closest registered names). Every function is thread-safe and may be called
 * while other threads hit failpoints.
 *
 * Example (a C test):
 *   if (failpoint_enable("SaveFails", "1*return(true)") != FAILPOINT_OK)
 *     fprintf(stderr, "%s\n", failpoint_last_error());
 *   assert(save(r) == -1);
 *   struct failpoint_state st;
 *   failpoint_status("SaveFails", &st);  assert(st.count == 1);  failpoint_state_release(&st);
 *
 * C99 or later; link libfailpoint (the runtime). */
#ifndef FAILPOINT_CONTROL_H
#define FAILPOINT_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "failpoint/export.hpp"

#ifdef __cplusplus
extern "C" {
#endif

/* What a control function returns. */
enum failpoint_result {
  FAILPOINT_OK = 0,
  FAILPOINT_ERROR_CONFIG = 1,   /* a malformed term or specification (failpoint::config_error) */
  FAILPOINT_ERROR_UNKNOWN = 2,  /* no site has that name (failpoint::unknown_failpoint) */
  FAILPOINT_ERROR_ARGUMENT = 3, /* a null pointer where a string or a result was required */
  FAILPOINT_ERROR_TIMEOUT = 4,  /* failpoint_wait_for: the count was not reached in time */
  FAILPOINT_ERROR_INTERNAL = 5  /* anything else (out of memory) */
};

/* The message of the last call that failed in this thread; "" when none failed. Valid until the
 * thread's next failing call. Thread-safe (one message per thread). */
FAILPOINT_EXPORT const char* failpoint_last_error(void);

/* Sets the terms of the registered failpoint `name` (replacing previous terms, resetting its count,
 * releasing threads paused in it). FAILPOINT_ERROR_CONFIG on a malformed term (nothing changes),
 * FAILPOINT_ERROR_UNKNOWN when no site has that name. */
FAILPOINT_EXPORT int failpoint_enable(const char* name, const char* terms);

/* Turns the failpoint off (its sites go back to the zero-cost path) and releases paused threads.
 * FAILPOINT_ERROR_UNKNOWN when no failpoint has that name. */
FAILPOINT_EXPORT int failpoint_disable(const char* name);

/* Turns every failpoint off, including names configured but not yet registered. */
FAILPOINT_EXPORT int failpoint_disable_all(void);

/* Applies a FAILPOINTS-format specification `name=terms;name2=terms2` all at once: one bad entry
 * or unknown name changes nothing. With keep_unknown != 0, names not yet registered are kept and
 * applied when a site with that name registers. */
FAILPOINT_EXPORT int failpoint_apply(const char* spec, int keep_unknown);

/* A snapshot of one failpoint. The strings are owned by the snapshot: release it with
 * failpoint_state_release(). */
struct failpoint_state {
  char* name;
  char* terms;         /* as last enabled; "" when disabled */
  char* type;          /* declared type of the first site; "" for no value */
  int active;          /* 1 while a term can still run */
  uint64_t count;      /* how many times a term ran since the failpoint was last enabled */
  uint64_t mismatches; /* values that did not convert to the declared type */
  size_t sites;        /* how many sites share the name */
};

/* Fills *out with the state of `name`. FAILPOINT_ERROR_UNKNOWN when no site has that name (then
 * *out is left empty and need not be released). */
FAILPOINT_EXPORT int failpoint_status(const char* name, struct failpoint_state* out);

/* Frees the strings of a state filled by failpoint_status; the state is left empty. */
FAILPOINT_EXPORT void failpoint_state_release(struct failpoint_state* state);

/* Blocks until a term of `name` has run `count` times since it was enabled, or `timeout_ms`
 * milliseconds pass (FAILPOINT_ERROR_TIMEOUT). Wakes on a condition variable, no polling. */
FAILPOINT_EXPORT int failpoint_wait_for(const char* name, uint64_t count, long timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* FAILPOINT_CONTROL_H */
