// runtime/site_values.hpp: the interned string values that typed sites hand out.
#ifndef FAILPOINT_RUNTIME_SITE_VALUES_HPP
#define FAILPOINT_RUNTIME_SITE_VALUES_HPP

#include <string_view>

namespace failpoint {
namespace runtime_internal {

// The one copy of `text` (NUL-terminated) kept until the process ends, the same for equal bytes,
// so that a string value handed to a site never dangles and needs no reference to its
// configuration. Thread-safe (a lock); grows with the distinct string values ever configured.
const char* intern_string(std::string_view text);

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_SITE_VALUES_HPP
