// runtime/site_values.cpp: what a typed C++ site gets when its failpoint fires.
//
// A site calls one of these from its armed branch, so that the header instantiates no function
// per type (what a site costs the compiler): evaluate_number for the types that hold a number,
// evaluate_object for string-like types. Both check the fired value against the site's type,
// report a mismatch once, and hand back a result with no destructor: numbers in registers, and
// strings as bytes or objects that live until the process ends (interned: one copy per distinct
// string value configured, one object per type and value hit).
#include "runtime/site_values.hpp"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace runtime_internal {

const std::string& intern_string(std::string_view text) {
  // Leaked on purpose: a hit during static destruction may still read a string value.
  static std::mutex* const mutex = new std::mutex;
  static std::set<std::string, std::less<>>* const strings = new std::set<std::string, std::less<>>;
  std::lock_guard<std::mutex> lock(*mutex);
  auto it = strings->find(text);
  if (it == strings->end())
    it = strings->emplace(text).first;
  return *it;
}

namespace {

// The object that `make` returned for (type, interned bytes), made on the first hit.
const void* intern_object(const void* type_key, const char* text, std::size_t size,
                          void* (*make)(const char*, std::size_t)) {
  static std::mutex* const mutex = new std::mutex;
  static auto* const objects = new std::map<std::pair<const void*, const char*>, const void*>;
  std::lock_guard<std::mutex> lock(*mutex);
  auto [it, created] = objects->emplace(std::make_pair(type_key, text), nullptr);
  if (created) {
    try {
      it->second = make(text, size);
    } catch (...) {
      objects->erase(it);
      throw;
    }
  }
  return it->second;
}

}  // namespace
}  // namespace runtime_internal

namespace detail {

namespace {

// The value_type a number_type_word describes.
value_type number_type(std::uint64_t word) noexcept {
  const bool is_signed = (word >> 8) & 1;
  const unsigned bits = static_cast<unsigned>((word >> 16) & 0xff) * 8;
  const std::uint64_t all_ones = bits >= 64 ? ~std::uint64_t(0) : ~(~std::uint64_t(0) << bits);
  const std::uint64_t max = is_signed ? all_ones >> 1 : all_ones;
  return value_type{static_cast<value_class>(word & 0xff),
                    is_signed ? -static_cast<std::int64_t>(max) - 1 : 0, max};
}

// Everything but a value that fits: checked against the type, reported when it does not fit.
[[gnu::noinline, gnu::cold]] number_hit checked_number(site& s, raw_hit r, std::uint64_t type) {
  const hit h(r);
  const value v = h.get();
  if (const char* reason = conversion_error(v, number_type(type))) {
    report_mismatch(s, v, reason);
    return number_hit{0, 0};
  }
  return number_hit{1, v.integer};
}

}  // namespace

number_hit evaluate_number(site& s, std::uint64_t type) {
  const raw_hit r = evaluate(s);
  if (r.word == 0)
    return number_hit{0, 0};
  // The common cases in registers, with a frame no larger than the call's: an integer that fits
  // an integer type (sign- or zero-extending its low `bits` gives it back), a boolean for bool.
  const std::uint64_t cls = type & 0xff;
  const std::int64_t integer = static_cast<std::int64_t>(r.payload);
  if (r.word == static_cast<std::uint64_t>(value_kind::integer) + 1 &&
      cls == static_cast<std::uint64_t>(value_class::integer)) {
    const unsigned shift = 64 - static_cast<unsigned>((type >> 16) & 0xff) * 8;
    const std::uint64_t low = static_cast<std::uint64_t>(integer) << shift;
    const std::int64_t back = (type & 0x100) ? static_cast<std::int64_t>(low) >> shift
                                             : static_cast<std::int64_t>(low >> shift);
    if (back == integer && (shift != 0 || (type & 0x100) || integer >= 0))
      return number_hit{1, integer};
  } else if (r.word == static_cast<std::uint64_t>(value_kind::boolean) + 1 &&
             cls == static_cast<std::uint64_t>(value_class::boolean)) {
    return number_hit{1, integer};
  }
  return checked_number(s, r, type);
}

const void* evaluate_object(site& s, value_class cls, const void* type_key,
                            void* (*make)(const char*, std::size_t)) {
  const raw_hit r = evaluate(s);
  if (r.word == 0)
    return nullptr;
  const hit h(r);
  const value v = h.get();
  if (const char* reason = conversion_error(v, value_type{cls, 0, 0})) {
    report_mismatch(s, v, reason);
    return nullptr;
  }
  if (make == nullptr)
    return v.text;
  return runtime_internal::intern_object(type_key, v.text, v.size, make);
}

}  // namespace detail
}  // namespace failpoint
