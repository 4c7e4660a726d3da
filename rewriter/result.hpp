// rewriter/result.hpp: the value-or-error shape of the rewriter's internal functions. A failing
// step returns an `error` (a message naming what was wrong and where); a succeeding one returns
// its value. Text transformations report through diagnostics instead (diagnostic.hpp), because
// they can report several problems at once.
#ifndef FAILPOINT_REWRITER_RESULT_HPP
#define FAILPOINT_REWRITER_RESULT_HPP

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace failpoint {
namespace rewrite {

// Why a step failed: a message naming what was wrong (and the file, when there is one), and
// where in the input when that is known.
struct error {
  std::string message;
  std::size_t position = std::string::npos;  // byte offset in the step's input; npos: unknown
};

// A T or an error.
template <class T>
class result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(error e) : state_(std::in_place_index<1>, std::move(e)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // Only when ok().
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // Only when !ok().
  const error& failure() const { return std::get<1>(state_); }
  const std::string& message() const { return failure().message; }

 private:
  std::variant<T, error> state_;
};

// Success without a value, or an error.
template <>
class result<void> {
 public:
  result() = default;
  result(error e) : error_(std::move(e)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  // Only when !ok().
  const std::string& message() const { return error_.message; }

 private:
  error error_;
  bool failed_ = false;
};

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_RESULT_HPP
