/* failpoint/internal/site.h: the machinery behind the C site macros of failpoint/failpoint.h.
 *
 * Included by failpoint/failpoint.h; never include it directly. Nothing here is a stable API.
 * A C site is a constant-initialized static object whose layout is the C++ site's
 * (failpoint::detail::site, checked by static_asserts in runtime/c_sites.cpp), so C and C++
 * sites share one registry and one evaluation. Each site's address goes into the linker section
 * `failpoint_sites` (the C++ sites' section too); a constructor in every translation unit that
 * includes the header hands the section of its module (program or shared library) to the runtime,
 * which registers each site once. Needs GCC or Clang (statement expressions, section and
 * constructor attributes, __atomic builtins); works from C99 on, also under -pedantic. */
#ifndef FAILPOINT_INTERNAL_SITE_H
#define FAILPOINT_INTERNAL_SITE_H

#include "failpoint/export.hpp"

#if !defined(__GNUC__) && !defined(__clang__)
#error "failpoint/failpoint.h needs GCC or Clang"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The type of `armed`: C's _Bool is C++'s bool. */
#ifdef __cplusplus
#define FAILPOINT_DETAIL_C_FLAG bool
#else
#define FAILPOINT_DETAIL_C_FLAG _Bool
#endif

/* Mirrors failpoint::detail::site_info: all strings are literals with static storage. */
struct failpoint_detail_c_site_info {
  const char* name;
  const char* file;
  int line;
  const char* type; /* spelling of the declared C type; "" for a failpoint without value */
};

/* Mirrors failpoint::detail::site. `armed` is read with a relaxed atomic load and written only by
 * the runtime; `point` is the runtime's record of the name, set at registration. */
struct failpoint_detail_c_site {
  struct failpoint_detail_c_site_info info;
  FAILPOINT_DETAIL_C_FLAG armed;
  void* point;
};

/* The C types a FAILPOINT_VALUE may have; the runtime converts and checks the value for each
 * (the same checks as for C++ sites: range of integers, true/false for _Bool, strings). */
enum failpoint_detail_c_kind {
  FAILPOINT_DETAIL_C_NONE,
  FAILPOINT_DETAIL_C_BOOL,
  FAILPOINT_DETAIL_C_CHAR,
  FAILPOINT_DETAIL_C_SCHAR,
  FAILPOINT_DETAIL_C_UCHAR,
  FAILPOINT_DETAIL_C_SHORT,
  FAILPOINT_DETAIL_C_USHORT,
  FAILPOINT_DETAIL_C_INT,
  FAILPOINT_DETAIL_C_UINT,
  FAILPOINT_DETAIL_C_LONG,
  FAILPOINT_DETAIL_C_ULONG,
  FAILPOINT_DETAIL_C_LLONG,
  FAILPOINT_DETAIL_C_ULLONG,
  FAILPOINT_DETAIL_C_FLOAT,
  FAILPOINT_DETAIL_C_DOUBLE,
  FAILPOINT_DETAIL_C_LDOUBLE,
  FAILPOINT_DETAIL_C_STRING /* const char*: NUL-terminated, valid until the process ends */
};

/* Registers every site of [begin, end) not registered yet (out of line; at load time). */
FAILPOINT_EXPORT void failpoint_detail_register_c_sites(struct failpoint_detail_c_site** begin,
                                                        struct failpoint_detail_c_site** end);

/* Evaluates an armed site's terms (out of line). Returns 1 when a `return` term ran and its value
 * converts to `kind` (then stored at `out`), 0 otherwise; a mismatch is counted and reported once
 * on stderr, like a `throw` term, which cannot unwind through C. */
FAILPOINT_EXPORT int failpoint_detail_c_evaluate(struct failpoint_detail_c_site* site,
                                                 enum failpoint_detail_c_kind kind, void* out);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus

/* clang-format cannot lay out _Generic associations and statement expressions. */
/* clang-format off */
/* The kind of TYPE; a type outside the list does not compile ("not compatible with any
 * association"). Enumerations select their compatible integer type. */
#define FAILPOINT_DETAIL_C_KIND(TYPE)                          \
  __extension__ _Generic(*(TYPE*)0,                            \
      _Bool: FAILPOINT_DETAIL_C_BOOL,                          \
      char: FAILPOINT_DETAIL_C_CHAR,                           \
      signed char: FAILPOINT_DETAIL_C_SCHAR,                   \
      unsigned char: FAILPOINT_DETAIL_C_UCHAR,                 \
      short: FAILPOINT_DETAIL_C_SHORT,                         \
      unsigned short: FAILPOINT_DETAIL_C_USHORT,               \
      int: FAILPOINT_DETAIL_C_INT,                             \
      unsigned: FAILPOINT_DETAIL_C_UINT,                       \
      long: FAILPOINT_DETAIL_C_LONG,                           \
      unsigned long: FAILPOINT_DETAIL_C_ULONG,                 \
      long long: FAILPOINT_DETAIL_C_LLONG,                     \
      unsigned long long: FAILPOINT_DETAIL_C_ULLONG,           \
      float: FAILPOINT_DETAIL_C_FLOAT,                         \
      double: FAILPOINT_DETAIL_C_DOUBLE,                       \
      long double: FAILPOINT_DETAIL_C_LDOUBLE,                 \
      const char*: FAILPOINT_DETAIL_C_STRING)

#define FAILPOINT_DETAIL_C_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* One site: a static object per expansion, its address in the module's section, and the inline
 * path: one relaxed load and a predicted-false branch while the failpoint is off. The section
 * holds pointers (8 bytes, never over-aligned) rather than the sites, so that it is an array. */
#define FAILPOINT_DETAIL_C_EVALUATE(NAME, TYPE_STRING, KIND, OUT)                                 \
  __extension__({                                                                                 \
    static struct failpoint_detail_c_site failpoint_detail_site_ = {                              \
        {NAME, __FILE__, __LINE__, TYPE_STRING}, 0, 0};                                           \
    static struct failpoint_detail_c_site* failpoint_detail_site_entry_                           \
        __attribute__((section("failpoint_sites"), used, aligned(sizeof(void*)))) =               \
            &failpoint_detail_site_;                                                              \
    (void)failpoint_detail_site_entry_;                                                           \
    FAILPOINT_DETAIL_C_UNLIKELY(__atomic_load_n(&failpoint_detail_site_.armed, __ATOMIC_RELAXED)) \
        ? failpoint_detail_c_evaluate(&failpoint_detail_site_, KIND, OUT)                         \
        : 0;                                                                                      \
  })
/* clang-format on */

/* The bounds of this module's section, defined by the linker (hidden: each program or shared
 * library walks its own; weak: a module without sites has none). */
extern struct failpoint_detail_c_site* __start_failpoint_sites[]
    __attribute__((weak, visibility("hidden")));
extern struct failpoint_detail_c_site* __stop_failpoint_sites[]
    __attribute__((weak, visibility("hidden")));

/* Runs when the module loads, before the module's other constructors (the first priority open to
 * programs, as for C++ sites); the runtime skips a section another translation unit handed over. */
__attribute__((constructor(101), used)) static void failpoint_detail_register_module(void) {
  failpoint_detail_register_c_sites(__start_failpoint_sites, __stop_failpoint_sites);
}

#endif /* !__cplusplus */

#endif /* FAILPOINT_INTERNAL_SITE_H */
