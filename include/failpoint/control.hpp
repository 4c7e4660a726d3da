// failpoint/control.hpp: switching failpoints from C++ (tests, tools, the HTTP endpoint).
//
// Every function here is thread-safe and may be called while other threads hit failpoints;
// none of them waits for a thread that sleeps or pauses inside a failpoint.
//
// Example (a Catch2 test):
//   failpoint::scoped crash("SaveFails", "1*return(true)");
//   CHECK_FALSE(store.save(r));
//   CHECK(failpoint::status("SaveFails")->count == 1);
//
// The term language and the FAILPOINTS format are defined in runtime/terms.hpp (README.md,
// "Terms", explains them).
#ifndef FAILPOINT_CONTROL_HPP
#define FAILPOINT_CONTROL_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "failpoint/error.hpp"
#include "failpoint/export.hpp"

namespace failpoint {

// A malformed term string or FAILPOINTS specification. what() names the input, the byte position
// and what was expected, e.g. `in "3*retrun(1)" at byte 2: unknown action "retrun"; expected ...`.
class FAILPOINT_EXPORT config_error : public std::invalid_argument {
 public:
  config_error(const std::string& message, std::size_t position);
  // Byte offset in the input where the problem was found.
  std::size_t position() const noexcept { return position_; }

 private:
  std::size_t position_;
};

// A name that no registered failpoint has. what() lists the closest registered names.
class FAILPOINT_EXPORT unknown_failpoint : public std::out_of_range {
 public:
  unknown_failpoint(std::string name, std::vector<std::string> suggestions);
  const std::string& name() const noexcept { return name_; }
  // Registered names closest to name() (edit distance), best first; may be empty.
  const std::vector<std::string>& suggestions() const noexcept { return suggestions_; }

 private:
  std::string name_;
  std::vector<std::string> suggestions_;
};

// Where a site is in the source.
struct site_location {
  std::string file;
  int line = 0;
};

// A snapshot of one failpoint's state, as returned by status() and list().
struct failpoint_info {
  std::string name;
  std::string terms;        // as last enabled (trimmed); empty when disabled
  bool active = false;      // a term can still run (false when disabled or every term is used up)
  std::uint64_t count = 0;  // how many times a term ran since the failpoint was last enabled
  std::uint64_t mismatches = 0;  // values that did not convert to the declared type
  std::string type;              // declared C++ type of the first site; empty for no value
  std::vector<site_location> sites;
};

// Sets the terms of the registered failpoint `name` (replacing any previous terms, resetting its
// count, and releasing threads paused in it). Throws config_error on a malformed term (nothing
// changes), unknown_failpoint when no site has that name, config_error for `callback` when no
// callback is set, and config_error when a `return` value fits the declared type of none of the
// failpoint's sites (e.g. `return(1)` for a `bool`); a value that fits some sites but not others
// is accepted and the sites it cannot reach are named on stderr.
FAILPOINT_EXPORT void enable(std::string_view name, std::string_view terms);

// Turns the failpoint off (its sites go back to the zero-cost path) and releases paused threads.
// Returns false when no failpoint has that name. Keeps the count readable until next enable.
FAILPOINT_EXPORT bool disable(std::string_view name);

// Turns every failpoint off, including names configured but not yet registered.
FAILPOINT_EXPORT void disable_all();

// Applies a FAILPOINTS-format specification `name=terms;name2=terms2` all at once: every entry is
// parsed and checked before any is applied, so one bad entry (config_error) or unknown name
// (unknown_failpoint) or value that fits no site's type (config_error) changes nothing. With
// `keep_unknown`, or for an entry written `?name=terms`, a name not yet registered is kept and
// applied when a site with that name registers (e.g. a shared library loaded later).
FAILPOINT_EXPORT void apply(std::string_view spec, bool keep_unknown = false);

// Parses a FAILPOINTS-format specification into (name, terms) pairs without applying it.
// `;` and `=` inside quoted strings do not split; a `?` before a name is dropped. Throws
// config_error.
FAILPOINT_EXPORT std::vector<std::pair<std::string, std::string>> parse_spec(std::string_view spec);

// Checks a term string without applying it. Throws config_error.
FAILPOINT_EXPORT void validate_terms(std::string_view terms);

// Whether running `terms` can end the process (a `panic` or `break` term), decided from the
// parsed terms: `return("no panic")` cannot. Throws config_error on malformed terms. Pure.
FAILPOINT_EXPORT bool may_end_process(std::string_view terms);

// The state of one failpoint, or nullopt when no site has that name.
FAILPOINT_EXPORT std::optional<failpoint_info> status(std::string_view name);

// Every registered failpoint, sorted by name.
FAILPOINT_EXPORT std::vector<failpoint_info> list();

// Registered names closest to `name`, best first (at most `max`), for "did you mean" messages.
FAILPOINT_EXPORT std::vector<std::string> closest_names(std::string_view name, std::size_t max = 3);

// Blocks until a term of `name` has run `count` times since it was enabled, or `timeout` passes.
// Wakes on a condition variable (no polling). Returns whether the count was reached.
// Throws unknown_failpoint when no site has that name.
FAILPOINT_EXPORT bool wait_for(std::string_view name, std::uint64_t count,
                               std::chrono::milliseconds timeout);

// Sets the function a `callback` term of `name` runs (in the hitting thread). An empty function
// removes it. The name need not be registered yet.
FAILPOINT_EXPORT void set_callback(std::string_view name, std::function<void()> fn);

// Sets the function that the `panic` and `break` actions call, in the thread that hit the
// failpoint, just before they end the process: the HTTP endpoint uses it to let the answer to the
// request that enabled them out first. One function per process (the endpoint sets it when it
// starts; another call replaces it); empty removes it. Thread-safe. The function should return
// soon (the process is ending) and must not hit failpoints; its exceptions are ignored.
FAILPOINT_EXPORT void set_before_process_end(std::function<void()> fn);

// Seeds the random source of every `P%` roll; the same seed and the same sequence of hits give
// the same outcomes. FAILPOINTS_SEED=n does this at startup.
FAILPOINT_EXPORT void set_seed(std::uint64_t seed);

// The caller's file and line as default arguments (GCC and Clang builtins), so that a guard's
// report names the line of the test that wrote it.
#if defined(__GNUC__) || defined(__clang__)
#define FAILPOINT_DETAIL_CALLER_FILE __builtin_FILE()
#define FAILPOINT_DETAIL_CALLER_LINE __builtin_LINE()
#else
#define FAILPOINT_DETAIL_CALLER_FILE ""
#define FAILPOINT_DETAIL_CALLER_LINE 0
#endif

// Tag for scoped's constructor: the guard requires its fault to fire before it is destroyed.
// Example: failpoint::scoped fault("SaveFails", "1*return(true)", failpoint::expect_fired);
struct expect_fired_t {
  explicit constexpr expect_fired_t() = default;
};
inline constexpr expect_fired_t expect_fired{};

// A guard that required its fault to fire (expect_fired) reached scope exit without it: the
// failpoint's terms ran `runs()` times, fewer than the `needed()` that reach its fault (a leading
// `N*off` lets N runs through first). what() names the failpoint, the terms, the counts and the
// guard's file:line.
class FAILPOINT_EXPORT fault_not_fired : public std::logic_error {
 public:
  fault_not_fired(std::string name, std::string terms, std::uint64_t runs, std::uint64_t needed,
                  const char* file, int line);
  const std::string& name() const noexcept { return name_; }
  const std::string& terms() const noexcept { return terms_; }
  std::uint64_t runs() const noexcept { return runs_; }
  std::uint64_t needed() const noexcept { return needed_; }
  // what() without the location, for reports that print file:line themselves.
  const std::string& reason() const noexcept { return reason_; }
  // Where the guard was written (its constructor's or require_fired()'s caller).
  const char* file() const noexcept { return file_; }
  int line() const noexcept { return line_; }

 private:
  std::string name_;
  std::string terms_;
  std::string reason_;
  std::uint64_t runs_;
  std::uint64_t needed_;
  const char* file_;
  int line_;
};

// What a guard does with a fault that did not fire. Without a handler (the default), the guard's
// destructor throws the fault_not_fired, which fails the test in any framework; while another
// exception is already unwinding the stack (the test is failing anyway) it writes what() to stderr
// instead. The Catch2 and GoogleTest integrations (failpoint/catch2.hpp, failpoint/gtest.hpp) set
// a handler that records a failure of the running test at the guard's line and lets it go on.
using unfired_handler = std::function<void(const fault_not_fired&)>;

// Sets the handler for faults that did not fire and returns the previous one; an empty function
// restores the default. Thread-safe; the handler runs in the thread that destroys the guard.
FAILPOINT_EXPORT unfired_handler set_unfired_handler(unfired_handler handler);

// RAII guard for tests: enables `name` with `terms` and, when destroyed, restores the terms the
// failpoint had before (or disables it). Throws like enable(). Not copyable.
class FAILPOINT_EXPORT scoped {
 public:
  scoped(std::string_view name, std::string_view terms);
  // The same, and the fault must fire before the guard is destroyed (see require_fired()).
  scoped(std::string_view name, std::string_view terms, expect_fired_t,
         const char* file = FAILPOINT_DETAIL_CALLER_FILE, int line = FAILPOINT_DETAIL_CALLER_LINE);
  // Requires that the fault fires before the guard is destroyed: at scope exit, when the
  // failpoint's count shows the terms never reached a fault (for `2*off->return(1)`, fewer than
  // 3 runs), the guard reports a fault_not_fired through the unfired_handler (by default it
  // throws it). Enabling the failpoint again inside the scope restarts its count. Returns *this.
  scoped& require_fired(const char* file = FAILPOINT_DETAIL_CALLER_FILE,
                        int line = FAILPOINT_DETAIL_CALLER_LINE);
  // Restores the previous terms; may throw fault_not_fired (see unfired_handler).
  ~scoped() noexcept(false);
  scoped(const scoped&) = delete;
  scoped& operator=(const scoped&) = delete;

 private:
  std::string name_;
  std::string previous_;  // empty: was disabled
  std::string terms_;
  std::uint64_t needed_ = 0;  // runs that reach the fault; 0: not required
  const char* file_ = "";
  int line_ = 0;
  int uncaught_ = 0;  // std::uncaught_exceptions() when the requirement was made
};

}  // namespace failpoint

#endif  // FAILPOINT_CONTROL_HPP
