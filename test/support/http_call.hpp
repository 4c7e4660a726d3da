// test/support/http_call.hpp: one HTTP request to a control endpoint through failpointctl's
// blocking client (library failpoint_test_support, when the endpoint is built).
#ifndef FAILPOINT_TEST_SUPPORT_HTTP_CALL_HPP
#define FAILPOINT_TEST_SUPPORT_HTTP_CALL_HPP

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "client.hpp"

namespace failpoint_test {

// Sends `method target` (with `body` and `headers`) to `address` ("host:port") and returns the
// response; `status` is 0 and `error` says why when none came within `timeout`.
failpoint::ctl::response call(const std::string& address, const std::string& method,
                              const std::string& target, const std::string& body = "",
                              std::vector<std::pair<std::string, std::string>> headers = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace failpoint_test

#endif  // FAILPOINT_TEST_SUPPORT_HTTP_CALL_HPP
