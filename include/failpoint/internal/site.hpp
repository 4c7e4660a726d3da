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
#include <iosfwd>
#include <type_traits>

#include "failpoint/export.hpp"

#if !defined(__ELF__) || !(defined(__GNUC__) || defined(__clang__))
#error "failpoint sites need GCC or Clang and an ELF target (Linux, the BSDs)"
#endif

#define FAILPOINT_DETAIL_UNLIKELY(x) __builtin_expect(!!(x), 0)

// Yields a reference to the static site object of this source location. A site is one
// constant-initialized static object (no code runs to create it, no guard) and one pointer to it
// in the linker section `failpoint_sites` of its module (program or shared library), which the
// module's translation units hand to the runtime when it loads (register_module_sites below): no
// per-site initializer. A statement expression gives the object its scope: it costs the compiler
// less than any other way of declaring an object inside an expression (a lambda costs about 0.7 M
// instructions more per site, docs/benchmarks.md), which confines sites to function bodies. In an
// inline function or a template, the object is shared by every translation unit, as the function
// is, and each instantiation of a template has its own.
#define FAILPOINT_DETAIL_SITE(NAME, TYPE_STRING)                                \
  (*__extension__({                                                             \
    static ::failpoint::detail::site failpoint_detail_site_{                    \
        ::failpoint::detail::site_info{NAME, __FILE__, __LINE__, TYPE_STRING}}; \
    FAILPOINT_DETAIL_LIST_SITE(failpoint_detail_site_);                         \
    &failpoint_detail_site_;                                                    \
  }))

#define FAILPOINT_DETAIL_STRINGIZE2(x) #x
#define FAILPOINT_DETAIL_STRINGIZE(x) FAILPOINT_DETAIL_STRINGIZE2(x)

// Puts the address of the static site VAR into the section `failpoint_sites`. Clang honours a
// section attribute on any static local; GCC refuses one on the static locals of inline and
// non-inline functions in one translation unit ("section type conflict"), so with GCC the entry is
// one directive to the assembler, whose operand ("X": the symbol itself, even when it is
// interposable in position-independent code) becomes a relocation the linker or loader resolves.
// The entry lives and dies with the code around it: a site in code the compiler drops (an inline
// function nobody calls, a branch that is never taken) is not listed, as it can never run.
#if defined(__clang__)
#define FAILPOINT_DETAIL_LIST_SITE(VAR)                                                 \
  static ::failpoint::detail::site* failpoint_detail_site_entry_                        \
      __attribute__((section("failpoint_sites"), used, aligned(sizeof(void*)))) = &VAR; \
  (void)failpoint_detail_site_entry_
#else
#define FAILPOINT_DETAIL_LIST_SITE(VAR)                                                 \
  __asm__(".pushsection failpoint_sites,\"aw\"\n\t.balign " FAILPOINT_DETAIL_STRINGIZE( \
              __SIZEOF_POINTER__) "\n\t.dc.a %p0\n\t.popsection"                        \
          :                                                                             \
          : "X"(&VAR))
#endif

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

// Registers every site of [begin, end) not registered yet (out of line, at load time; the
// section of one module, which each of its translation units hands over).
FAILPOINT_EXPORT void register_sites(site* const* begin, site* const* end) noexcept;

// Registers one site (dynamic failpoints, failpoint/dynamic.hpp).
FAILPOINT_EXPORT void register_site(site* s) noexcept;

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

// The outcome of one evaluation as the runtime uses it: empty when the body must not run;
// otherwise the fired term's value. For a string it holds the reference to the configuration
// that evaluate() took, dropped when it is destroyed (the bytes themselves are interned and
// outlive it). Sites never hold one: typed_hit has no destructor.
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

// What a site's C++ type accepts from a term: the class of value, and for an integer type its
// range. A constant per type, so that the checks themselves are not templates (the runtime checks
// a fired value against it; conversion_error<T> is the same check).
enum class value_class : std::uint64_t {
  none,
  boolean,
  integer,
  enumeration,
  floating,
  string,
  other
};
struct value_type {
  value_class cls;
  std::int64_t min;  // an integer type's range; 0 for the other classes
  std::uint64_t max;
};

template <class T>
constexpr value_type value_type_of() noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_void<U>::value) {
    return value_type{value_class::none, 0, 0};
  } else if constexpr (std::is_same<U, bool>::value) {
    return value_type{value_class::boolean, 0, 1};
  } else if constexpr (std::is_integral<U>::value) {
    using unsigned_type = std::make_unsigned_t<U>;
    constexpr std::uint64_t all_ones = static_cast<std::uint64_t>(unsigned_type(~unsigned_type(0)));
    if constexpr (std::is_signed<U>::value) {
      return value_type{value_class::integer, -static_cast<std::int64_t>(all_ones >> 1) - 1,
                        all_ones >> 1};
    } else {
      return value_type{value_class::integer, 0, all_ones};
    }
  } else if constexpr (std::is_enum<U>::value) {
    return value_type{value_class::enumeration, 0, 0};
  } else if constexpr (std::is_floating_point<U>::value) {
    return value_type{value_class::floating, 0, 0};
  } else if constexpr (std::is_same<U, const char*>::value || is_string_like<U>::value) {
    return value_type{value_class::string, 0, 0};
  } else {
    return value_type{value_class::other, 0, 0};
  }
}

// Returns nullptr when `v` converts to a type of `t`, or the reason it does not.
inline const char* conversion_error(const value& v, value_type t) noexcept {
  switch (t.cls) {
    case value_class::none:
      return v.kind == value_kind::none ? nullptr : "this failpoint carries no value";
    case value_class::boolean:
      return v.kind == value_kind::boolean ? nullptr : "expected true or false";
    case value_class::integer:
      if (v.kind != value_kind::integer)
        return "expected an integer";
      if (v.integer < t.min || (v.integer > 0 && static_cast<std::uint64_t>(v.integer) > t.max))
        return "integer out of range of the type";
      return nullptr;
    case value_class::enumeration:
      return v.kind == value_kind::integer ? nullptr : "expected an integer";
    case value_class::floating:
      return v.kind == value_kind::integer ? nullptr : "expected a number";
    case value_class::string:
      return v.kind == value_kind::string ? nullptr : "expected a string";
    case value_class::other:
      break;
  }
  return "the type cannot be set from a term value";
}

// Returns nullptr when `v` converts to T, or the reason it does not.
template <class T>
const char* conversion_error(const value& v) noexcept {
  return conversion_error(v, value_type_of<T>());
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

// The outcome of a site whose type holds a number (bool, integers, enums, floating point):
// `fired` is 1 when the body must run, `integer` the value (1 or 0 for a boolean). Two words, so
// it comes back in two registers.
struct number_hit {
  std::uint64_t fired;
  std::int64_t integer;
};

// The row of a number type among the eleven kinds of number a value may have to fit: 0 for bool,
// 1-4 for the signed integers of 1, 2, 4 and 8 bytes (and wider, which accept what 8 bytes do),
// 5-8 for the unsigned ones, 9 for an enum, 10 for floating point. The runtime keeps, for each
// configured value, a mask of the rows it fits: a hit tests one bit instead of the range.
template <class T>
constexpr std::uint64_t number_type_row() noexcept {
  constexpr value_class cls = value_type_of<T>().cls;
  if constexpr (cls == value_class::boolean) {
    return 0;
  } else if constexpr (cls == value_class::integer) {
    constexpr std::uint64_t size_row = sizeof(T) == 1   ? 0
                                       : sizeof(T) == 2 ? 1
                                       : sizeof(T) == 4 ? 2
                                                        : 3;
    return (std::is_signed<T>::value ? 1 : 5) + size_row;
  } else {
    return cls == value_class::enumeration ? 9 : 10;
  }
}

// A number type in one word: the value_class in bits 0-7, 1 in bit 8 for a signed integer type,
// the size in bytes in bits 16-23 (an integer type's range follows from both), and its
// number_type_row in bits 24-31. Types with one word are one type to the runtime (int and
// int32_t, every enum of one size...).
template <class T>
constexpr std::uint64_t number_type_word() noexcept {
  return static_cast<std::uint64_t>(value_type_of<T>().cls) |
         (static_cast<std::uint64_t>(std::is_signed<T>::value) << 8) |
         (static_cast<std::uint64_t>(sizeof(T)) << 16) | (number_type_row<T>() << 24);
}

// The number_type_row a number_type_word carries (its top byte: nothing is above it).
constexpr std::uint64_t number_row(std::uint64_t word) noexcept {
  return word >> 24;
}

// The value_type a number_type_word describes.
constexpr value_type number_type(std::uint64_t word) noexcept {
  const bool is_signed = (word >> 8) & 1;
  const unsigned bits = static_cast<unsigned>((word >> 16) & 0xff) * 8;
  const std::uint64_t all_ones = bits >= 64 ? ~std::uint64_t(0) : ~(~std::uint64_t(0) << bits);
  const std::uint64_t max = is_signed ? all_ones >> 1 : all_ones;
  return value_type{static_cast<value_class>(word & 0xff),
                    is_signed ? -static_cast<std::int64_t>(max) - 1 : 0, max};
}

// Evaluates an armed site whose type holds a number described by `word` (number_type_word):
// one runtime function for every number type, whose result comes back in two registers. A value
// that does not fit the type is reported as a mismatch and does not fire.
FAILPOINT_EXPORT number_hit evaluate_number(site& s, std::uint64_t word);

// What evaluate_object needs of a site's type: its value_class (string, or other for a type no
// term value converts to) and, for a string-like class type, the function making its object from
// a value's bytes (null for `const char*`). One constant per type, whose address also keys the
// type's objects: the site passes one pointer.
struct object_type {
  value_class cls;
  void* (*make)(const char* text, std::size_t size);
};

// Evaluates an armed site whose type is described by `type`: nullptr when the body must not run.
// A string value's bytes are never freed (the runtime keeps one copy of each distinct string
// value ever configured), so the result needs no reference to the configuration: with `make`
// null it is the value's NUL-terminated bytes; else the one object that `make(bytes, size)`
// returned for this type and these bytes, made at the first hit and kept until the process ends.
FAILPOINT_EXPORT const void* evaluate_object(site& s, const object_type* type);

// Types whose typed_hit holds the converted value itself: it is then trivially copyable and
// travels in registers.
template <class T>
struct hit_holds_value
    : std::integral_constant<bool, std::is_void<T>::value || std::is_arithmetic<T>::value ||
                                       std::is_enum<T>::value> {};

// Makes the object that a string-like type's sites share for one string value.
template <class T>
void* make_object(const char* text, std::size_t size) {
  return new T(text, size);
}

// make_object<std::string>, compiled once in the runtime (for libstdc++'s std::string, the type
// of nearly every string site): instantiating the string's constructor costs a translation unit
// more than a dozen sites do.
FAILPOINT_EXPORT void* make_std_string(const char* text, std::size_t size);

#if defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
template <class T>
struct made_by_runtime : std::is_same<T, std::string> {};
#else
template <class T>
struct made_by_runtime : std::false_type {};
#endif

// The object_type of T (not a number type), and its one constant.
template <class T>
constexpr object_type object_type_for() noexcept {
  if constexpr (made_by_runtime<T>::value) {
    return object_type{value_class::string, &make_std_string};
  } else if constexpr (is_string_like<T>::value) {
    return object_type{value_class::string, &make_object<T>};
  } else {
    return object_type{value_type_of<T>().cls, nullptr};
  }
}
template <class T>
inline constexpr object_type object_type_of = object_type_for<T>();

// The result of FAILPOINT_VALUE: converts to true when the body must run; `*hit` is the value.
// Every kind is trivially copyable and trivially destructible: a site needs no cleanup code.
// For a string-like type, `*hit` is a reference to an object that lives until the process ends.
template <class T, bool = hit_holds_value<std::remove_cv_t<T>>::value>
class typed_hit {
 public:
  using object_type = std::remove_cv_t<T>;

  typed_hit() noexcept = default;
  explicit typed_hit(const void* object) noexcept
      : object_(static_cast<const object_type*>(object)) {}

  explicit operator bool() const noexcept { return object_ != nullptr; }
  const object_type& operator*() const noexcept { return *object_; }

 private:
  const object_type* object_ = nullptr;
};

template <>
class typed_hit<const char*, false> {
 public:
  typed_hit() noexcept = default;
  explicit typed_hit(const void* text) noexcept : text_(static_cast<const char*>(text)) {}

  explicit operator bool() const noexcept { return text_ != nullptr; }
  const char* operator*() const noexcept { return text_; }

 private:
  const char* text_ = nullptr;
};

template <>
class typed_hit<const char* const, false> : public typed_hit<const char*, false> {
 public:
  using typed_hit<const char*, false>::typed_hit;
};

template <class T>
class typed_hit<T, true> {
 public:
  typed_hit() noexcept = default;
  explicit typed_hit(number_hit h) noexcept
      : value_(static_cast<std::remove_cv_t<T>>(h.integer)), fired_(h.fired != 0) {}

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

// The site's whole inline path: a relaxed load and a predicted-false branch when off. When on,
// one call whose result comes back in registers and has no destructor: the runtime's
// evaluate_plain or evaluate_object, or the type word's evaluate_number. Nothing here is per site
// but the call: each site's own compile cost is its branch, its call and its registration.
template <class T = void>
inline typed_hit<T> evaluate_as(site& s) {
  if (!FAILPOINT_DETAIL_UNLIKELY(s.is_armed()))
    return typed_hit<T>();
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_void<U>::value) {
    return typed_hit<T>(evaluate_plain(s));
  } else if constexpr (hit_holds_value<U>::value) {
    return typed_hit<T>(evaluate_number(s, number_type_word<U>()));
  } else {
    return typed_hit<T>(evaluate_object(s, &object_type_of<U>));
  }
}

}  // namespace detail
}  // namespace failpoint

// The bounds of this module's section, defined by the linker (hidden: each program or shared
// library walks its own; weak: a module without sites has none).
extern "C" {
extern ::failpoint::detail::site* __start_failpoint_sites[]
    __attribute__((weak, visibility("hidden")));
extern ::failpoint::detail::site* __stop_failpoint_sites[]
    __attribute__((weak, visibility("hidden")));
}

namespace failpoint {
namespace detail {
namespace {

// Runs when the module loads, in every translation unit that includes this header: the first
// registers the module's sites, the others find them registered. The first priority open to
// programs (101) runs it before the module's static initializers, so a site hit by one of them,
// in any of its translation units, is already registered.
__attribute__((constructor(101), used)) void register_module_sites() {
  register_sites(__start_failpoint_sites, __stop_failpoint_sites);
}

}  // namespace
}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_INTERNAL_SITE_HPP
