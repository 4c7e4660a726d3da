// failpoint/http.hpp: the embedded HTTP control endpoint (library failpoint::http).
//
// Linking failpoint::http (failpoint_enable() does) makes a process start the endpoint at load
// time when FAILPOINTS_HTTP=host:port is set; a process that never sets it opens no socket.
// Tests may instead start it from code:
//   std::string addr = failpoint::http::start("127.0.0.1:0");   // e.g. "127.0.0.1:40123"
//   ... curl -X PUT -d 'panic' http://<addr>/SaveFails ...
//   failpoint::http::stop();
// The routes, limits and failpointctl are documented in README.md ("HTTP control").
#ifndef FAILPOINT_HTTP_HPP
#define FAILPOINT_HTTP_HPP

#include <chrono>
#include <string>
#include <string_view>

#include "failpoint/export.hpp"

namespace failpoint {
namespace http {

// Settings of an endpoint started from code; the environment variables set the same at load time.
struct options {
  bool allow_remote = false;  // FAILPOINTS_HTTP_ALLOW_REMOTE=1: bind non-loopback addresses
  std::string token;          // FAILPOINTS_HTTP_TOKEN: require `Authorization: Bearer <token>`
  std::string address_file;   // FAILPOINTS_HTTP_ADDR_FILE: write the bound host:port there
  // A client that sends no complete request (or reads no response) for this long is closed.
  std::chrono::milliseconds timeout{5000};
  // Open connections served at once; one more gets 503 and is closed.
  int max_connections = 64;
};

// Starts the endpoint on its own thread and returns the bound "host:port" (port 0 picks a free
// one); it serves at once. Throws std::runtime_error naming the address and the reason when it
// cannot (bad address, non-loopback without allow_remote, port in use, address file not
// writable, already running). Thread-safe; binds a socket and starts one thread. A 204 from the
// endpoint means the change is applied; so that a `panic` or `break` it enables still lets the
// answer out first, start() sets failpoint::set_before_process_end (replacing another function).
FAILPOINT_EXPORT std::string start(std::string_view address, const options& opts = {});

// Stops the endpoint: closes the listener and every connection, and joins its thread; pending
// waits end within about 100 ms. Does nothing when it is not running. Thread-safe. At exit() the
// endpoint is stopped automatically (giving up after a second rather than hanging).
FAILPOINT_EXPORT void stop();

// The bound "host:port" of the running endpoint, or an empty string. Thread-safe.
FAILPOINT_EXPORT std::string address();

}  // namespace http
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_HPP
