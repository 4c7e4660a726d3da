// failpoint/dynamic.hpp: failpoints whose names are made at run time.
//
// A comment-made failpoint has a name fixed at compile time. Code that creates objects at run
// time (a TCP gate named "db", one per test) needs failpoints named from data: a
// `failpoint::named` handle registers a failpoint under any name, and from then on it is listed,
// switched (FAILPOINTS, the HTTP endpoint, failpoint/control.hpp), counted and waited for exactly
// like one written as a comment. Checking a handle while its failpoint is off costs what a
// FAILPOINT(...) site costs, one relaxed load and a predicted-false branch, plus reading the
// handle's pointer to its site (hoisted out of loops like any loop-invariant load).
//
// Example:
//   failpoint::named delay(name + ".to_client.delay", "int");   // e.g. "gate.db.to_client.delay"
//   if (auto ms = delay.value<int>()) wait(std::chrono::milliseconds(*ms));
//   failpoint::named close(name + ".to_server.close_on_data");   // no value
//   if (close.fired()) socket.close();
//
// A name with its type is registered once per process and never unregistered (like a
// comment-made site, its failpoint outlives every handle): creating a second handle for the same
// name and type is cheap and shares the failpoint. FAILPOINTS entries for a name that is only
// created later are applied when it is created.
#ifndef FAILPOINT_DYNAMIC_HPP
#define FAILPOINT_DYNAMIC_HPP

#include <string>
#include <string_view>

#include "failpoint/export.hpp"
#include "failpoint/failpoint.hpp"

// The caller's file and line as default arguments (GCC and Clang); elsewhere none.
#if defined(__GNUC__) || defined(__clang__)
#define FAILPOINT_DETAIL_CALLER_FILE __builtin_FILE()
#define FAILPOINT_DETAIL_CALLER_LINE __builtin_LINE()
#else
#define FAILPOINT_DETAIL_CALLER_FILE "(run time)"
#define FAILPOINT_DETAIL_CALLER_LINE 0
#endif

namespace failpoint {

// A handle to a failpoint named at run time. Copyable and cheap (one pointer); every method is
// thread-safe. `type` spells the value's C++ type as a comment-made failpoint declares it ("int",
// "bool", "std::string"; empty for a failpoint without value): listing shows it.
class named {
 public:
  // Registers the failpoint `name` (or finds it when it was created before with the same type)
  // and applies pending FAILPOINTS terms for it. Takes a lock; do it once, not per check.
  // `file` and `line` are where the handle was made, shown by listing as the failpoint's site.
  // Throws std::invalid_argument for an empty name, or a name already created at run time with
  // another type.
  FAILPOINT_EXPORT explicit named(std::string_view name, std::string_view type = {},
                                  const char* file = __builtin_FILE(), int line = __builtin_LINE());

  // Evaluates a failpoint without value: true when a `return` term ran. Off: one relaxed load.
  bool fired() const { return static_cast<bool>(detail::evaluate_as<void>(*site_)); }

  // Evaluates a failpoint with a value of type T: true when a `return(v)` term ran with a value
  // that converts to T, and `*hit` is that value (see FAILPOINT_VALUE). Off: one relaxed load.
  template <class T>
  detail::typed_hit<T> value() const {
    return detail::evaluate_as<T>(*site_);
  }

  // True while the failpoint has terms that can still run (a relaxed load; no evaluation, no
  // count). Lets a caller skip work that only matters when the failpoint may fire.
  bool armed() const noexcept { return site_->is_armed(); }

  // The failpoint's full name.
  const char* name() const noexcept { return site_->info.name; }

 private:
  detail::site* site_;
};

}  // namespace failpoint

#endif  // FAILPOINT_DYNAMIC_HPP
