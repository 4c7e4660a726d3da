// test/support/http_call.cpp: see http_call.hpp.
#include "http_call.hpp"

namespace failpoint_test {

failpoint::ctl::response call(const std::string& address, const std::string& method,
                              const std::string& target, const std::string& body,
                              std::vector<std::pair<std::string, std::string>> headers,
                              std::chrono::milliseconds timeout) {
  failpoint::ctl::request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers = std::move(headers);
  req.timeout = timeout;
  return failpoint::ctl::send(address, req);
}

}  // namespace failpoint_test
