// failpoint/internal/site.hpp: the machinery behind FAILPOINT and FAILPOINT_VALUE.
//
// Included by failpoint/failpoint.hpp; never include it directly. Nothing here is a stable API:
// the site object each expansion creates, its registration at startup, the hit a fired site
// returns and the value conversions. Only the runtime library and the site macros use these
// names (namespace failpoint::detail).
#ifndef FAILPOINT_INTERNAL_SITE_HPP
#define FAILPOINT_INTERNAL_SITE_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "failpoint/export.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define FAILPOINT_DETAIL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define FAILPOINT_DETAIL_UNLIKELY(x) (x)
#endif

// Yields a reference to the static site object of this source location, registered at startup.
// A site is one constant-initialized object and one load-time registration, both instances of
// variable templates keyed by a local tag type (so that each expansion, and each instantiation of
// a template around it, is its own site); the tag's constexpr info() only initializes the object
// at compile time. The lambda gives the tag a scope in any expression, a function's or not.
#define FAILPOINT_DETAIL_SITE(NAME, TYPE_STRING)                                      \
  ([]() -> ::failpoint::detail::site& {                                               \
    struct failpoint_site_tag {                                                       \
      static constexpr ::failpoint::detail::site_info info() {                        \
        return ::failpoint::detail::site_info{NAME, __FILE__, __LINE__, TYPE_STRING}; \
      }                                                                               \
    };                                                                                \
    (void)&::failpoint::detail::site_registered<failpoint_site_tag>;                  \
    return ::failpoint::detail::site_instance<failpoint_site_tag>;                    \
  }())

namespace failpoint {
namespace detail {

struct point;  // the runtime's record of one failpoint name (runtime/registry.hpp)

// Where a site is and what it carries; all strings are literals with static storage.
struct site_info {
  const char* name;
  const char* file;
  int line;
  const char* type;  // spelling of the declared C++ type; "" for a failpoint without value
};

// One failpoint site. Constant-initialized; `armed` is true while the failpoint named `info.name`
// has terms that can still run. The registry flips `armed` for every site sharing the name.
struct site {
  constexpr explicit site(site_info i) noexcept : info(i) {}
  site(const site&) = delete;
  site& operator=(const site&) = delete;

  bool is_armed() const noexcept { return armed.load(std::memory_order_relaxed); }

  site_info info;
  std::atomic<bool> armed{false};
  // The registry's entry for info.name, set at registration (qualified: the member shares the
  // type's name).
  ::failpoint::detail::point* point = nullptr;
};

// Registers a site with the runtime (out of line; runs once per site, at startup).
FAILPOINT_EXPORT void register_site(site* s) noexcept;

// The site of the expansion whose tag is Tag: constant-initialized (no code runs to create it).
template <class Tag>
site site_instance{Tag::info()};

// Registers site_instance<Tag> from a dynamic initializer when the program or library loads.
// Naming it in the site's expansion instantiates it; inline, so that a site in an inline function
// or a template shared by several translation units registers once.
template <class Tag>
inline const bool site_registered = (register_site(&site_instance<Tag>), true);

// The kinds of value a `return(v)` term can carry.
// Word-sized, like every field of `value`: a hit is written and read in whole words, which keeps
// the store-to-load forwarding of the returned hit intact (a byte-sized kind stalled it).
enum class value_kind : std::uint64_t { none, integer, string, boolean };

// A term's value; owned by the failpoint's configuration snapshot.
struct value {
  value_kind kind = value_kind::none;
  std::int64_t integer = 0;    // the integer, or 1 for true and 0 for false
  const char* text = nullptr;  // string value (not NUL-terminated when it holds a NUL byte)
  std::size_t size = 0;
};

struct snapshot;  // a failpoint's configuration, reference-counted, defined in the runtime
FAILPOINT_EXPORT void release_snapshot(snapshot* s) noexcept;

// What evaluate() returns. Two words with no destructor, so it comes back in two registers.
// `word` is 0 when the body must not run, else the fired value's kind plus one, and for a string
// the fired term's index shifted left by 8. `payload` is the integer (1 or 0 for a boolean), or
// for a string the configuration holding its bytes, with a reference the receiver must drop.
struct raw_hit {
  std::uint64_t word;
  std::uint64_t payload;
};

// The text and size of a string hit's value (out of line: strings are rare).
FAILPOINT_EXPORT value string_value(raw_hit h) noexcept;

// The outcome of one evaluation: empty when the body must not run; otherwise the fired term's
// value. A string value's bytes belong to the configuration, which the hit keeps alive until it
// is destroyed, even if the failpoint is reconfigured meanwhile.
class hit {
 public:
  hit() noexcept = default;
  explicit hit(raw_hit r) noexcept : raw_(r) {}
  hit(hit&& other) noexcept : raw_(other.raw_) { other.raw_ = raw_hit{0, 0}; }
  hit& operator=(hit&&) = delete;
  hit(const hit&) = delete;
  ~hit() {
    if (is_string())
      release_snapshot(reinterpret_cast<snapshot*>(static_cast<std::uintptr_t>(raw_.payload)));
  }

  explicit operator bool() const noexcept { return raw_.word != 0; }
  value get() const noexcept {
    if (is_string())
      return string_value(raw_);
    value v;
    v.kind = static_cast<value_kind>((raw_.word & 0xff) - 1);
    v.integer = static_cast<std::int64_t>(raw_.payload);
    return v;
  }

 private:
  bool is_string() const noexcept {
    return (raw_.word & 0xff) == static_cast<std::uint64_t>(value_kind::string) + 1;
  }

  raw_hit raw_{0, 0};
};

// Evaluates an armed site's terms (out of line): counts, probabilities, sleep, panic, pause...
// Returns a non-empty hit when a `return` term ran and the body must run.
FAILPOINT_EXPORT raw_hit evaluate(site& s);

// The same for a site without value: true when the body must run (a value fired at it is
// reported as a mismatch and the body does not run). One call, no wrapper of the caller's.
FAILPOINT_EXPORT bool evaluate_plain(site& s);

// Counts and reports (once per failpoint, on stderr) a value that does not convert to the type.
FAILPOINT_EXPORT void report_mismatch(site& s, const value& v, const char* reason) noexcept;

template <class T>
struct is_string_like
    : std::integral_constant<bool, std::is_constructible<T, const char*, std::size_t>::value &&
                                       !std::is_arithmetic<T>::value> {};

// Returns nullptr when `v` converts to T, or the reason it does not.
template <class T>
const char* conversion_error(const value& v) noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_void<U>::value) {
    return v.kind == value_kind::none ? nullptr : "this failpoint carries no value";
  } else if constexpr (std::is_same<U, bool>::value) {
    return v.kind == value_kind::boolean ? nullptr : "expected true or false";
  } else if constexpr (std::is_integral<U>::value) {
    if (v.kind != value_kind::integer)
      return "expected an integer";
    if constexpr (std::is_signed<U>::value) {
      constexpr std::int64_t max =
          static_cast<std::int64_t>(std::make_unsigned_t<U>(~std::make_unsigned_t<U>(0)) >> 1);
      if (v.integer < -max - 1 || v.integer > max)
        return "integer out of range of the type";
    } else {
      if (v.integer < 0 ||
          static_cast<std::uint64_t>(v.integer) > static_cast<std::uint64_t>(U(~U(0))))
        return "integer out of range of the type";
    }
    return nullptr;
  } else if constexpr (std::is_enum<U>::value) {
    return v.kind == value_kind::integer ? nullptr : "expected an integer";
  } else if constexpr (std::is_floating_point<U>::value) {
    return v.kind == value_kind::integer ? nullptr : "expected a number";
  } else if constexpr (std::is_same<U, const char*>::value || is_string_like<U>::value) {
    return v.kind == value_kind::string ? nullptr : "expected a string";
  } else {
    return "the type cannot be set from a term value";
  }
}

// Converts a value already accepted by conversion_error<T>.
template <class T>
T convert(const value& v) {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same<U, bool>::value) {
    return v.integer != 0;
  } else if constexpr (std::is_integral<U>::value || std::is_enum<U>::value ||
                       std::is_floating_point<U>::value) {
    return static_cast<U>(v.integer);
  } else if constexpr (std::is_same<U, const char*>::value) {
    return v.text;
  } else {
    return U(v.text, v.size);
  }
}

// Types whose typed_hit holds the converted value itself (no reference to the configuration):
// it is then trivially copyable and travels in registers.
template <class T>
struct hit_holds_value
    : std::integral_constant<bool, std::is_void<T>::value || std::is_arithmetic<T>::value ||
                                       std::is_enum<T>::value> {};

// The result of FAILPOINT_VALUE: converts to true when the body must run; `*hit` is the value.
template <class T, bool = hit_holds_value<std::remove_cv_t<T>>::value>
class typed_hit {
 public:
  typed_hit() noexcept = default;
  explicit typed_hit(hit&& h) noexcept : hit_(static_cast<hit&&>(h)) {}

  explicit operator bool() const noexcept { return static_cast<bool>(hit_); }
  T operator*() const { return convert<T>(hit_.get()); }

 private:
  hit hit_;
};

template <class T>
class typed_hit<T, true> {
 public:
  typed_hit() noexcept = default;
  explicit typed_hit(std::remove_cv_t<T> v) noexcept : value_(v), fired_(true) {}
  typed_hit(std::remove_cv_t<T> v, bool fired) noexcept : value_(v), fired_(fired) {}

  explicit operator bool() const noexcept { return fired_; }
  T operator*() const noexcept { return value_; }

 private:
  std::remove_cv_t<T> value_{};
  bool fired_ = false;
};

template <>
class typed_hit<void, true> {
 public:
  typed_hit() noexcept = default;
  explicit typed_hit(bool fired) noexcept : fired_(fired) {}
  explicit operator bool() const noexcept { return fired_; }

 private:
  bool fired_ = false;
};

#if defined(__GNUC__) || defined(__clang__)
#define FAILPOINT_DETAIL_COLD __attribute__((noinline, cold))
#else
#define FAILPOINT_DETAIL_COLD
#endif

// Reports a fired value that does not convert to T (a string included: its reference is dropped).
template <class T>
FAILPOINT_DETAIL_COLD typed_hit<T> mismatched(site& s, raw_hit r, const char* reason) {
  const hit h(r);
  report_mismatch(s, h.get(), reason);
  return typed_hit<T>();
}

// Evaluates an armed site and checks the value against T; kept out of the caller's code.
template <class T>
FAILPOINT_DETAIL_COLD typed_hit<T> evaluate_armed(site& s) {
  const raw_hit r = evaluate(s);
  if constexpr (hit_holds_value<std::remove_cv_t<T>>::value && !std::is_void<T>::value) {
    // Numbers and booleans: checked and converted in registers (the value never goes through
    // memory, which would stall on store-to-load forwarding), and without a branch on whether
    // the failpoint fired: under `50%return(1)` that outcome is random, and a branch on it here
    // would be mispredicted on top of the caller's own branch on the hit.
    value v;
    v.kind = static_cast<value_kind>((r.word & 0xff) - 1);
    v.integer = static_cast<std::int64_t>(r.payload);
    const bool fired = r.word != 0;
    const char* const reason = conversion_error<T>(v);
    if (FAILPOINT_DETAIL_UNLIKELY(fired & (reason != nullptr)))
      return mismatched<T>(s, r, reason);
    return typed_hit<T>(convert<T>(v), fired);
  }
  if (r.word == 0)
    return typed_hit<T>();
  hit h(r);
  const value v = h.get();
  if (const char* reason = conversion_error<T>(v)) {
    report_mismatch(s, v, reason);
    return typed_hit<T>();
  }
  if constexpr (hit_holds_value<std::remove_cv_t<T>>::value) {
    return typed_hit<T>();  // a string for a number: refused above
  } else {
    return typed_hit<T>(static_cast<hit&&>(h));
  }
}

// The site's whole inline path: a relaxed load and a predicted-false branch when off.
template <class T = void>
inline typed_hit<T> evaluate_as(site& s) {
  if (!FAILPOINT_DETAIL_UNLIKELY(s.is_armed()))
    return typed_hit<T>();
  if constexpr (std::is_void<T>::value) {
    return typed_hit<T>(evaluate_plain(s));
  } else {
    return evaluate_armed<T>(s);
  }
}

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_INTERNAL_SITE_HPP
