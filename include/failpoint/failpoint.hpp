// failpoint/failpoint.hpp: the site API, the only header a program with failpoints includes.
//
// A failpoint site is an `if` whose condition is a FAILPOINT(...) or FAILPOINT_VALUE(...)
// expression. While the failpoint is off (the default), evaluating the site costs one relaxed
// atomic load and one predicted-false branch: no call, no lock, no lookup, no allocation. When a
// term such as `return(true)` is enabled for the name (FAILPOINTS environment variable, the HTTP
// endpoint, or failpoint/control.hpp), the site's body runs.
//
// Example:
//   bool save(const record& r) {
//     if (auto fp = FAILPOINT_VALUE("SaveFails", bool)) {
//       if (*fp) return false;
//     }
//     if (FAILPOINT("BeforeFsync")) {}   // sleep, panic, pause... act here; the body is empty
//     ...
//   }
//
// Every site registers itself when the program starts, so the registry lists every compiled-in
// failpoint before any is hit (a site in code the compiler drops, such as an inline function
// nobody calls, is not compiled in). Several sites may share one name; they are one failpoint.
// `failpoint-rewrite` turns `// failpoint:` comments into exactly this form.
//
// A site is an expression inside a function body (a GNU statement expression, which GCC and Clang
// accept also under -pedantic: the cheapest form to compile). Elsewhere, such as a default member
// initializer, wrap it in a lambda: `bool b = [] { return bool(FAILPOINT("x")); }();`.
//
// This header is C++17, includes only <atomic>, <cstddef>, <cstdint>, <iosfwd> and <type_traits>,
// and is cheap to include everywhere. It needs GCC or Clang and an ELF target.
#ifndef FAILPOINT_FAILPOINT_HPP
#define FAILPOINT_FAILPOINT_HPP

#ifndef __cplusplus
// A C file gets the C macros of the same names (failpoint-rewrite includes this header in both).
#include "failpoint/failpoint.h"
#else

#include "failpoint/internal/site.hpp"

// Evaluates the failpoint NAME (a string literal) that carries no value.
// Yields a value that converts to true when the failpoint fired (a `return` term ran).
// Off: one relaxed load and a predicted-false branch. Thread-safe.
// Example: if (FAILPOINT("CrashBeforeSave")) { return; }
#define FAILPOINT(NAME) ::failpoint::detail::evaluate_as<void>(FAILPOINT_DETAIL_SITE(NAME, ""))

// Evaluates the failpoint NAME whose value has the C++ type given after the name.
// Yields a `failpoint::detail::typed_hit<TYPE>`: true when the failpoint fired with a value that
// converts to TYPE, and `*hit` is that value (for a string type, a const reference to an object
// that lives until the process ends). A value of another type (e.g. `return("x")` for an int)
// does not fire: it is counted and reported once on stderr. Thread-safe.
// Example: if (auto fp = FAILPOINT_VALUE("ReadLimit", std::size_t)) { limit = *fp; }
#define FAILPOINT_VALUE(NAME, ...) \
  ::failpoint::detail::evaluate_as<__VA_ARGS__>(FAILPOINT_DETAIL_SITE(NAME, #__VA_ARGS__))

#endif  // __cplusplus

#endif  // FAILPOINT_FAILPOINT_HPP
