// http-control/result.hpp: the one error shape inside the endpoint and failpointctl.
//
// Internal header. A step that can fail returns result<T>: its value, or a failure holding the
// HTTP status a request that caused it is answered with and a message naming what was wrong.
// Exceptions are caught only where the public API (failpoint/control.hpp) throws them, and thrown
// only where a public function (failpoint::http::start) is documented to throw.
#ifndef FAILPOINT_HTTP_CONTROL_RESULT_HPP
#define FAILPOINT_HTTP_CONTROL_RESULT_HPP

#include <string>
#include <utility>
#include <variant>

namespace failpoint {
namespace http_internal {

// What went wrong: one line of text without a trailing newline, and the HTTP status to answer
// with when a request caused it (400 for bad input that names no other status).
struct failure {
  unsigned status = 400;
  std::string message;
};

// A value, or the failure that prevented it.
template <class T>
class result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(failure error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return state_.index() == 0; }
  // The value; only when ok().
  const T& value() const& { return *std::get_if<0>(&state_); }
  T& value() & { return *std::get_if<0>(&state_); }
  // The failure; only when !ok().
  const failure& error() const& { return *std::get_if<1>(&state_); }

 private:
  std::variant<T, failure> state_;
};

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_RESULT_HPP
