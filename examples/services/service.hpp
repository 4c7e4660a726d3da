// examples/services/service.hpp: what foo, bar and baz share, so that each service's file holds
// only its own logic (and its failpoints). Beast stays in service.cpp, compiled once.
#ifndef FAILPOINT_EXAMPLES_SERVICES_SERVICE_HPP
#define FAILPOINT_EXAMPLES_SERVICES_SERVICE_HPP

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace services {

// An HTTP answer: status and text body.
struct response {
  int status = 200;
  std::string body;
};

// The callee could not be reached (connection refused or reset): requests' ConnectionError.
struct connection_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The callee did not answer in time: requests' Timeout.
struct timeout_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The command line every service takes:
//   --port N          port to listen on, 127.0.0.1 only (default 0: a free one)
//   --port-file F     write the bound port there once listening (tests and scripts read it)
//   --upstream N      port of the service it calls (bar for foo, baz for bar)
//   --timeout-ms N    time limit of that call (default 1000)
struct config {
  unsigned short port = 0;
  std::string port_file;
  unsigned short upstream = 0;
  std::chrono::milliseconds timeout{1000};
};
config parse_command_line(int argc, char** argv);

// GET http://127.0.0.1:<port><target>, all of it within `timeout`. Returns the response of any
// status; throws connection_error or timeout_error when there is none.
response get(unsigned short port, std::string_view target, std::chrono::milliseconds timeout);

// What a failpoint at an outgoing call makes the call do instead: "refused" throws
// connection_error, "timeout" throws timeout_error, a number ("503") returns that status.
response injected(std::string_view fault);

// Serves GET requests on 127.0.0.1:cfg.port, one at a time, until SIGINT or SIGTERM; returns the
// exit status. The handler gets the target and answers; an exception escaping it becomes a 500
// with the exception's message (what a web framework does with an unhandled error).
using handler = std::function<response(const std::string& target)>;
int serve(const char* name, const config& cfg, const handler& handle);

}  // namespace services

#endif  // FAILPOINT_EXAMPLES_SERVICES_SERVICE_HPP
