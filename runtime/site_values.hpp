// runtime/site_values.hpp: the interned string values that typed sites hand out.
#ifndef FAILPOINT_RUNTIME_SITE_VALUES_HPP
#define FAILPOINT_RUNTIME_SITE_VALUES_HPP

#include <cstdint>
#include <string_view>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace runtime_internal {

// The rest of a number site's evaluation when the fired value is not one that plainly fits the
// type of `word`: converts it, or reports the mismatch and does not fire.
detail::number_hit check_number(detail::site& s, detail::raw_hit r, std::uint64_t word) noexcept;

// The number types `v` fits, as a mask of their rows (bit number_type_row<T>() set when a hit
// with `v` converts to T): computed once per configured term, so that a hit tests one bit.
std::uint64_t number_rows_fitting(const detail::value& v) noexcept;

// The one copy of `text` (NUL-terminated) kept until the process ends, the same for equal bytes,
// so that a string value handed to a site never dangles and needs no reference to its
// configuration. Thread-safe (a lock); grows with the distinct string values ever configured.
const char* intern_string(std::string_view text);

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_SITE_VALUES_HPP
