// runtime/std_string.cpp: the objects of std::string sites, made here once instead of in every
// translation unit with a std::string site (failpoint/internal/site.hpp, made_by_runtime).
//
// The header hands std::string sites to make_std_string only in translation units built for
// libstdc++'s C++11 string, so that is the string this file makes, whatever the runtime's own
// build chose.
#undef _GLIBCXX_USE_CXX11_ABI  // must precede every include
#define _GLIBCXX_USE_CXX11_ABI 1

#include <cstddef>
#include <string>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace detail {

void* make_std_string(const char* text, std::size_t size) {
  return new std::string(text, size);
}

}  // namespace detail
}  // namespace failpoint
