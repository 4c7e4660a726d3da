// bench/other_sites.cpp: 500 distinct failpoint sites generated from one template.
#include "other_sites.hpp"

#include <array>
#include <string>
#include <utility>

#include <failpoint/control.hpp>
#include <failpoint/failpoint.hpp>

namespace failpoint_bench {
namespace {

constexpr char name_prefix[] = "bench.other.";
constexpr std::size_t name_capacity = sizeof(name_prefix) + 8;

// "bench.other.<n>" as a NUL-terminated array, computed at compile time.
constexpr std::array<char, name_capacity> make_name(std::size_t n) {
  std::array<char, name_capacity> out{};
  std::size_t i = 0;
  for (; name_prefix[i] != '\0'; ++i)
    out[i] = name_prefix[i];
  char digits[8] = {};
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (count != 0)
    out[i++] = digits[--count];
  return out;
}

template <std::size_t N>
struct other_name {
  static constexpr std::array<char, name_capacity> value = make_name(N);
};

// Each instantiation expands FAILPOINT once: its own site, registered at startup, with its own
// name (the site macro takes any constant expression of type const char*, not only a literal).
template <std::size_t N>
bool hit_other() {
  return static_cast<bool>(FAILPOINT(other_name<N>::value.data()));
}

template <std::size_t... N>
constexpr std::array<bool (*)(), sizeof...(N)> make_table(std::index_sequence<N...>) {
  return {&hit_other<N>...};
}

constexpr auto other_sites = make_table(std::make_index_sequence<other_site_count>());

}  // namespace

void set_other_sites(const char* terms) {
  for (std::size_t n = 0; n < other_site_count; ++n) {
    const std::string name(make_name(n).data());
    if (terms != nullptr) {
      failpoint::enable(name, terms);
    } else {
      failpoint::disable(name);
    }
  }
}

std::size_t hit_other_sites() {
  std::size_t fired = 0;
  for (auto* site : other_sites)
    fired += site() ? 1 : 0;
  return fired;
}

}  // namespace failpoint_bench
