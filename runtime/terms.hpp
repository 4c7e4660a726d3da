// runtime/terms.hpp: the term language and the FAILPOINTS format, parsed into plain data (pure
// functions, no global state), and the one table of actions.
//
// This is the normative grammar; README.md ("Terms") points here, and each production is echoed
// above the code that parses it in runtime/terms.cpp.
//
//   terms    := term ("->" term)*
//   term     := [mods] action ["(" [value] ")"]
//   mods     := count [prob] | prob [count]    at most one count and one probability per term
//   count    := UINT "*"        the term may run at most UINT times (UINT >= 1)
//   prob     := NUMBER "%"      probability in percent, 0 to 100, integer or decimal
//   action   := a name in the table `actions` below: off | return | sleep | panic | break
//             | print | pause | yield | delay | throw | callback
//   value    := ["+"|"-"] DIGITS        a 64-bit integer
//             | '"' chars '"'           a string with the escapes \" \\ \n \t \r \xHH
//             | '`' rawchars '`'        a raw string: every byte up to the next '`', no escapes
//             | true | false
//   duration := (NUMBER unit)+          inside a string value of sleep or delay;
//   unit     := ns | us | ms | s | m | h
//
// Blanks (spaces, tabs, newlines) may stand between any two tokens. Which value an action takes
// is its `value_rule` in the table. Example: `2*off->50%return("disk full")->sleep("150ms")`.
//
// The FAILPOINTS environment variable (and failpoint::apply) holds a specification:
//
//   spec     := entry ((";" | newline) entry)*
//   entry    := ["?"] NAME "=" [terms]  |  blanks
//
// A "?" before the name marks a failpoint that registers later (a library loaded with dlopen):
// the entry waits for it instead of being an error when the program has no such failpoint.
// Empty terms leave the failpoint off. ";", "=" and newlines inside strings do not split.
#ifndef FAILPOINT_RUNTIME_TERMS_HPP
#define FAILPOINT_RUNTIME_TERMS_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failpoint/failpoint.hpp"

#include "runtime/result.hpp"

namespace failpoint {
namespace runtime_internal {

using detail::value;
using detail::value_kind;

// Limits on one term string; they bound memory and evaluation time of a configuration.
// A chain longer than this is almost certainly a generated mistake.
inline constexpr std::size_t max_terms = 64;
// Terms are typed by people and sent over HTTP (whose body limit is 64 KiB).
inline constexpr std::size_t max_terms_length = 64 * 1024;

// What a term does when it runs (the table `actions` says how each is spelled and checked).
enum class action {
  off,
  return_,
  sleep,
  panic,
  break_,
  print,
  pause,
  yield,
  delay,
  throw_,
  callback
};

// Which value an action takes between its parentheses.
enum class value_rule {
  none,      // no value (an empty "()" is allowed)
  any,       // optional integer, string or true/false, checked against the site's type
  message,   // optional "string" message
  duration,  // required: an integer in the action's unit, or a "duration" string
};

// One row of the table of actions.
struct action_spec {
  action act;
  const char* name;        // the spelling in the term language
  value_rule rule;         // the value it takes
  bool carries_message;    // its string value is a message written or thrown by the action
  bool may_end_process;    // running it can end the process (abort, SIGTRAP)
  std::int64_t unit_ns;    // value_rule::duration: the unit of an integer value, in ns
  const char* value_help;  // how README.md's action table describes the value
};

// The table of actions, in the order of `enum class action`. The parser's spellings and its
// "expected one of ..." messages, the value checks, the evaluation's dispatch (messages, the
// hook before a process-ending action) and the README's action table (checked by the test
// "README's action table matches the runtime's") all follow from it.
inline constexpr action_spec actions[] = {
    {action::off, "off", value_rule::none, false, false, 0, "none"},
    {action::return_, "return", value_rule::any, false, false, 0, "optional"},
    {action::sleep, "sleep", value_rule::duration, false, false, 1000000, "ms or `\"duration\"`"},
    {action::panic, "panic", value_rule::message, true, true, 0, "optional `\"msg\"`"},
    {action::break_, "break", value_rule::none, false, true, 0, "none"},
    {action::print, "print", value_rule::message, true, false, 0, "optional `\"msg\"`"},
    {action::pause, "pause", value_rule::none, false, false, 0, "none"},
    {action::yield, "yield", value_rule::none, false, false, 0, "none"},
    {action::delay, "delay", value_rule::duration, false, false, 1000, "µs or `\"duration\"`"},
    {action::throw_, "throw", value_rule::message, true, false, 0, "optional `\"msg\"`"},
    {action::callback, "callback", value_rule::none, false, false, 0, "none"},
};

// The table's row for `a`.
inline const action_spec& spec_of(action a) noexcept {
  return actions[static_cast<std::size_t>(a)];
}

// Returns the action's spelling in the term language.
inline const char* action_name(action a) noexcept {
  return spec_of(a).name;
}

// One parsed term. `val.text` points into `text` (see fix_pointers).
struct term {
  action act = action::off;
  std::optional<std::uint64_t> count;    // at most this many runs
  std::optional<double> percent;         // probability of running, 0..100
  value val;                             // the term's value (see the action's value_rule)
  std::string text;                      // storage of a string value
  std::chrono::nanoseconds duration{0};  // `sleep` and `delay`
  std::size_t action_offset = 0;         // byte offset of the action's name in `source`
};

// A parsed chain of terms and the string it came from (trimmed of blanks).
struct parsed_terms {
  std::vector<term> terms;
  std::string source;

  // Points each string value at its own storage; call after copying or moving.
  void fix_pointers() noexcept;
};

// `text` in double quotes for a message, `"` and `\` escaped and control bytes (NUL included)
// written \xHH; cut after 200 bytes with "...".
std::string quote_for_message(std::string_view text);

// Parses a term string; the error names the input, the byte position and what was expected.
result<parsed_terms> parse_terms(std::string_view input);

// Whether running any term of `parsed` can end the process (its action's may_end_process).
bool may_end_process(const parsed_terms& parsed) noexcept;

// Parses a duration such as "150ms", "1.5s" or "1m30s" (units ns, us, ms, s, m, h).
// Returns nullopt when malformed or negative.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// One entry of a FAILPOINTS specification, trimmed; the terms are not parsed here.
struct spec_entry {
  std::string name;
  std::string terms;
  bool later = false;  // written "?name": the failpoint may register later (no unknown error)
};

// Splits a FAILPOINTS specification into entries. Empty entries are skipped. Errors: an entry
// without "=", an empty name, an unclosed string, a name given twice.
result<std::vector<spec_entry>> split_spec(std::string_view spec);

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_TERMS_HPP
