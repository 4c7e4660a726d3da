/* failpoint/failpoint.h: the site API for C, the only header a C file with failpoints includes.
 *
 * The C counterpart of failpoint/failpoint.hpp: the same names, terms, registry and control (the
 * FAILPOINTS variable, the HTTP endpoint, failpoint/control.h and failpoint/control.hpp), and the
 * same disabled path: while a failpoint is off its site costs one relaxed atomic load and one
 * predicted-false branch (no call, no lock). Each site is a constant-initialized static object
 * registered when the program or shared library loads, so every compiled-in failpoint is listed
 * before it is hit. `failpoint-rewrite` turns `// failpoint:` comments in `.c` files into exactly
 * these macros.
 *
 * Example:
 *   int save(const struct record* r) {
 *     if (FAILPOINT("SaveFails")) return -1;     // sleep, panic, pause... act here too
 *     { int limit; if (FAILPOINT_VALUE("WriteLimit", int, &limit)) max_write = limit; }
 *     ...
 *   }
 *
 * C99 or later with GCC or Clang (clean under -pedantic); link the runtime (libfailpoint, a C++
 * library: link with the C++ driver or add -lstdc++ when linking statically). */
#ifndef FAILPOINT_FAILPOINT_H
#define FAILPOINT_FAILPOINT_H

#ifdef __cplusplus
/* A C++ file gets the C++ macros of the same names. */
#include "failpoint/failpoint.hpp"
#else

#include "failpoint/internal/site.h"

/* Evaluates the failpoint NAME (a string literal) that carries no value: an int expression, 1 when
 * a `return` term ran (the caller's body should run), else 0. Off: one relaxed load and a
 * predicted-false branch. Thread-safe.
 * Example: if (FAILPOINT("CrashBeforeSave")) return; */
#define FAILPOINT(NAME) FAILPOINT_DETAIL_C_EVALUATE(NAME, "", FAILPOINT_DETAIL_C_NONE, (void*)0)

/* Evaluates the failpoint NAME whose value has the C type TYPE (_Bool/bool, char, a signed or
 * unsigned integer type, an enumeration, float, double, long double, or const char*) and stores a
 * fired `return(v)` term's value at OUT (a TYPE*). Yields 1 when it fired with a value that fits
 * TYPE, else 0 and *OUT is untouched. A value of another type (return("x") for an int) does not
 * fire: it is counted and reported once on stderr. A string stays valid until the process ends.
 * Thread-safe.
 * Example: size_t limit; if (FAILPOINT_VALUE("ReadLimit", size_t, &limit)) max = limit; */
#define FAILPOINT_VALUE(NAME, TYPE, OUT) \
  FAILPOINT_DETAIL_C_EVALUATE(NAME, #TYPE, FAILPOINT_DETAIL_C_KIND(TYPE), (1 ? (OUT) : (TYPE*)0))

#endif /* __cplusplus */

#endif /* FAILPOINT_FAILPOINT_H */
