// runtime/types.cpp: the type spellings the runtime can check, each bound to conversion_error<T>.
#include "runtime/types.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace failpoint {
namespace runtime_internal {
namespace {

using checker = const char* (*)(const detail::value&) noexcept;

struct known_type {
  std::string_view spelling;  // normalized (see normalize): no "std::", no top-level const
  checker check;
};

template <class T>
constexpr known_type type(std::string_view spelling) {
  return known_type{spelling, &detail::conversion_error<T>};
}

constexpr known_type known_types[] = {
    type<void>(""),
    type<bool>("bool"),
    type<char>("char"),
    type<signed char>("signed char"),
    type<unsigned char>("unsigned char"),
    type<short>("short"),
    type<short>("short int"),
    type<short>("signed short"),
    type<unsigned short>("unsigned short"),
    type<unsigned short>("unsigned short int"),
    type<int>("int"),
    type<int>("signed"),
    type<int>("signed int"),
    type<unsigned>("unsigned"),
    type<unsigned>("unsigned int"),
    type<long>("long"),
    type<long>("long int"),
    type<long>("signed long"),
    type<unsigned long>("unsigned long"),
    type<unsigned long>("unsigned long int"),
    type<long long>("long long"),
    type<long long>("long long int"),
    type<long long>("signed long long"),
    type<unsigned long long>("unsigned long long"),
    type<unsigned long long>("unsigned long long int"),
    type<std::int8_t>("int8_t"),
    type<std::int16_t>("int16_t"),
    type<std::int32_t>("int32_t"),
    type<std::int64_t>("int64_t"),
    type<std::uint8_t>("uint8_t"),
    type<std::uint16_t>("uint16_t"),
    type<std::uint32_t>("uint32_t"),
    type<std::uint64_t>("uint64_t"),
    type<std::intmax_t>("intmax_t"),
    type<std::uintmax_t>("uintmax_t"),
    type<std::intptr_t>("intptr_t"),
    type<std::uintptr_t>("uintptr_t"),
    type<std::size_t>("size_t"),
    type<std::ptrdiff_t>("ptrdiff_t"),
    type<ssize_t>("ssize_t"),
    type<off_t>("off_t"),
    type<float>("float"),
    type<double>("double"),
    type<long double>("long double"),
    type<std::string>("string"),
    type<std::string_view>("string_view"),
    type<const char*>("const char*"),
    type<const char*>("char const*"),
};

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// One blank between two words and none elsewhere; "std::" and a leading "::" dropped; a
// top-level const or volatile dropped (not the pointee's: "const char*" keeps it).
std::string normalize(std::string_view type) {
  std::string out;
  bool pending_blank = false;
  for (char c : type) {
    if (c == ' ' || c == '\t' || c == '\n') {
      pending_blank = true;
      continue;
    }
    if (pending_blank && !out.empty() && is_word(out.back()) && is_word(c))
      out += ' ';
    pending_blank = false;
    out += c;
  }
  auto erase_all = [&out](std::string_view what) {
    for (std::size_t at = out.find(what); at != std::string::npos; at = out.find(what, at))
      out.erase(at, what.size());
  };
  erase_all("std::");
  if (out.rfind("::", 0) == 0)
    out.erase(0, 2);
  if (out.empty() || out.back() != '*') {
    for (std::string_view cv : {"const ", "volatile "}) {
      if (out.rfind(cv, 0) == 0)
        out.erase(0, cv.size());
    }
    for (std::string_view cv : {" const", " volatile"}) {
      if (out.size() > cv.size() && out.compare(out.size() - cv.size(), cv.size(), cv) == 0)
        out.erase(out.size() - cv.size());
    }
  }
  return out;
}

}  // namespace

type_fit fit_value(const detail::value& v, std::string_view type) noexcept {
  try {
    const std::string spelling = normalize(type);
    for (const known_type& known : known_types) {
      if (known.spelling == spelling)
        return type_fit{true, known.check(v)};
    }
  } catch (...) {
    // Out of memory while normalizing: leave the check to the site.
  }
  return type_fit{};
}

}  // namespace runtime_internal
}  // namespace failpoint
