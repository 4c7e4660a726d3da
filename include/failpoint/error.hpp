// failpoint/error.hpp: the exception a `throw` term raises at a failpoint site.
//
// Include it where code under test wants to catch injected faults by type:
//   try { store.save(r); } catch (const failpoint::injected_error& e) { log(e.name()); }
#ifndef FAILPOINT_ERROR_HPP
#define FAILPOINT_ERROR_HPP

#include <stdexcept>
#include <string>

#include "failpoint/export.hpp"

namespace failpoint {

// Thrown by a `throw` or `throw("msg")` term. what() is "failpoint throw: NAME[: msg]".
class FAILPOINT_EXPORT injected_error : public std::runtime_error {
 public:
  injected_error(std::string name, std::string message);
  // The failpoint's name.
  const std::string& name() const noexcept { return name_; }
  // The term's message; empty for a bare `throw`.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string name_;
  std::string message_;
};

}  // namespace failpoint

#endif  // FAILPOINT_ERROR_HPP
