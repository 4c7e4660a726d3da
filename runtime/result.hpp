// runtime/result.hpp: the runtime's one error shape inside its libraries: a value or an error.
//
// Inside the runtime a function that can fail on bad input returns result<T>: either the value
// or an `error` with a message and the byte position in the input. Only the public API
// (runtime/control.cpp) turns an error into a typed exception (failpoint::config_error,
// failpoint::unknown_failpoint), and only the process start turns one into exit status 1.
#ifndef FAILPOINT_RUNTIME_RESULT_HPP
#define FAILPOINT_RUNTIME_RESULT_HPP

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace failpoint {
namespace runtime_internal {

// Why an input was refused.
struct error {
  enum class kind {
    malformed,     // the text breaks the grammar or an action's value rule
    unknown_name,  // no registered failpoint has the name
    rejected,      // well formed but not applicable (a value the sites' types cannot take...)
  };
  kind what = kind::malformed;
  std::string message;                   // names the input, the position and what was expected
  std::size_t position = 0;              // byte offset in the input
  std::string name;                      // unknown_name: the name looked up
  std::vector<std::string> suggestions;  // unknown_name: the closest registered names
};

// A value of type T, or the error that prevented it.
template <class T>
class result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  result(error e) : state_(std::in_place_index<1>, std::move(e)) {}      // NOLINT: implicit

  bool ok() const noexcept { return state_.index() == 0; }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& value() const& { return std::get<0>(state_); }
  const error& failure() const& { return std::get<1>(state_); }
  error&& failure() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, error> state_;
};

// The result of an operation that yields nothing but may fail.
struct done {};
using outcome = result<done>;

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_RESULT_HPP
