// http-control/ctl/client.hpp: a small blocking HTTP/1.1 client for the control endpoint.
//
// Used by failpointctl and by the tests. One request per connection; every step (resolve,
// connect, write, read) is bounded by one timeout. Transport failures are reported in
// `response::error`, never thrown.
#ifndef FAILPOINT_HTTP_CONTROL_CTL_CLIENT_HPP
#define FAILPOINT_HTTP_CONTROL_CTL_CLIENT_HPP

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace failpoint {
namespace ctl {

// What came back. `status` is 0 when no response arrived; `error` then says why.
struct response {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;  // e.g. "connection refused", "timed out after 10000 ms"

  // The value of the header `name` (case-insensitive), or an empty string.
  std::string header(std::string_view name) const;
};

// One request to be sent.
struct request {
  std::string method = "GET";
  // Already percent-encoded (see failpoint::http_internal::percent_encode_name).
  std::string target = "/";
  std::string body;
  std::string token;  // non-empty: `Authorization: Bearer <token>`
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::chrono::milliseconds timeout{10000};
};

// Sends `req` to `endpoint` ("host:port", "[v6]:port") and reads the response. Thread-safe
// (each call has its own io_context). Never throws for network errors.
response send(const std::string& endpoint, const request& req);

}  // namespace ctl
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_CTL_CLIENT_HPP
