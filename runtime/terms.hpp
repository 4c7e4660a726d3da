// runtime/terms.hpp: the term language, parsed into a chain of terms (a pure function).
//
// Grammar (also in README.md, "Terms"):
//
//   terms  := term ("->" term)*
//   term   := mod* action ["(" [value] ")"]
//   mod    := UINT "*"          count: the term may run at most UINT times (UINT >= 1)
//           | NUMBER "%"        probability in percent, 0 to 100, integer or decimal
//   action := off | return | sleep | panic | break | print | pause | yield | delay | throw
//           | callback
//   value  := ["+"|"-"] DIGITS  a 64-bit integer
//           | '"' chars '"'     a string with the escapes \" \\ \n \t \r \xHH
//           | true | false
//
// Blanks (spaces, tabs, newlines) may stand between any two tokens. Example:
//   `2*off->50%return("disk full")->sleep("150ms")`
#ifndef FAILPOINT_RUNTIME_TERMS_HPP
#define FAILPOINT_RUNTIME_TERMS_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failpoint/failpoint.hpp"

namespace failpoint {
namespace detail {

// Limits on one term string; they bound memory and evaluation time of a configuration.
// A chain longer than this is almost certainly a generated mistake.
inline constexpr std::size_t max_terms = 64;
// Terms are typed by people and sent over HTTP (whose body limit is 64 KiB).
inline constexpr std::size_t max_terms_length = 64 * 1024;

// What a term does when it runs.
enum class action {
  off,       // runs and does nothing (counts as a run)
  return_,   // fires: the site's body runs with the value
  sleep,     // sleeps (no lock held); the body does not run
  panic,     // prints "failpoint panic: NAME[: msg]" and aborts
  break_,    // raises SIGTRAP
  print,     // prints "failpoint print: NAME[: msg]" to stderr
  pause,     // blocks until the failpoint is reconfigured or disabled
  yield,     // yields the thread
  delay,     // busy-waits
  throw_,    // throws failpoint::injected_error
  callback,  // runs the function set with failpoint::set_callback
};

// Returns the action's spelling in the term language.
const char* action_name(action a) noexcept;

// One parsed term. `val.text` points into `text` (see fix_pointers).
struct term {
  action act = action::off;
  std::optional<std::uint64_t> count;    // at most this many runs
  std::optional<double> percent;         // probability of running, 0..100
  value val;                             // the `return`/`panic`/`print`/`throw` value
  std::string text;                      // storage of a string value
  std::chrono::nanoseconds duration{0};  // `sleep` and `delay`
};

// A parsed chain of terms and the string it came from (trimmed of blanks).
struct parsed_terms {
  std::vector<term> terms;
  std::string source;

  // Points each string value at its own storage; call after copying or moving.
  void fix_pointers() noexcept;
};

// Parses a term string. Throws failpoint::config_error naming the input, the byte position and
// what was expected. Pure: no global state.
parsed_terms parse_terms(std::string_view input);

// Parses a duration such as "150ms", "1.5s" or "1m30s" (units ns, us, ms, s, m, h).
// Returns nullopt when malformed or negative.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// Splits a FAILPOINTS specification `name=terms;name2=terms2` (also separated by newlines) into
// trimmed (name, terms) pairs. `;`, `=` and newlines inside quoted strings do not split. Empty
// entries are skipped. Throws config_error for an entry without `=`, an empty name, an unclosed
// string, or a name given twice. The terms themselves are not parsed here.
std::vector<std::pair<std::string, std::string>> split_spec(std::string_view spec);

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_TERMS_HPP
