// runtime/types.hpp: whether a term's value fits a site's declared type, from the type's spelling.
//
// A site knows its type only as a spelling ("int", "std::size_t", "const char*"). For the
// spellings of the fundamental and standard string types the runtime knows the C++ type, and
// the check is the site header's own conversion_error<T> (failpoint/failpoint.hpp), so a value
// accepted here converts at the site. Other spellings (enums, aliases, user string types) are
// checked only when the site is hit (a mismatch is counted and reported once).
#ifndef FAILPOINT_RUNTIME_TYPES_HPP
#define FAILPOINT_RUNTIME_TYPES_HPP

#include <string_view>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace runtime_internal {

// The outcome of checking a value against a type spelling.
struct type_fit {
  bool known = false;            // the spelling names a type the runtime can check
  const char* reason = nullptr;  // known: null when the value fits, else why not
};

// Checks `v` against the type spelled `type` ("" for a failpoint without value).
type_fit fit_value(const detail::value& v, std::string_view type) noexcept;

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_TYPES_HPP
