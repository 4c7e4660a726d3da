// http-control/router.hpp: the control API's routes as a pure function from request to reply.
//
// Internal header, of the static library failpoint_http_internal. The router knows nothing about
// sockets or Beast: the server (server.cpp) parses a request, calls route(), and writes the
// reply. Every change is applied before route() returns. A reply may carry a wait job, which the
// server runs off the io thread with run_wait() and whose reply it writes when ready.
//
// The routes are one table, routes() in router.cpp: route() dispatches from it, the 405 `Allow`
// header and may_change() are derived from it, and test/http/route_table_test.cpp fails when
// README.md's "Routes" table lists other routes. GET / serves the page (page/page.hpp) to a
// browser's Accept: text/html; a browser's request from another origin is refused with 403.
#ifndef FAILPOINT_HTTP_CONTROL_ROUTER_HPP
#define FAILPOINT_HTTP_CONTROL_ROUTER_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.hpp"
#include "url.hpp"

namespace failpoint {
namespace http_internal {

// A parsed request, as far as the routes need it.
struct control_request {
  std::string_view method;  // as sent, case-sensitive ("GET")
  std::string_view target;  // origin-form: "/name%2Fx/wait?count=2"
  std::string_view body;
  std::string_view authorization;  // the Authorization header, or empty
  std::string_view accept;         // the Accept header, or empty
  std::string_view origin;         // the Origin header, or empty (page/page.hpp: origin_allowed)
  std::string_view host;           // the Host header, or empty
  std::string_view fetch_site;     // the Sec-Fetch-Site header (browsers send it), or empty
};

// GET /NAME/wait: block until `name` ran `count` times, or `timeout` passes (none: no limit).
struct wait_job {
  std::string name;
  std::uint64_t count = 0;
  std::optional<std::chrono::milliseconds> timeout;
};

// What to send back. A body is sent for every status but 204.
struct control_reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  std::string allow;          // 405: the methods the resource accepts
  bool authenticate = false;  // 401: send `WWW-Authenticate: Bearer` and `Basic` (for browsers)
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (the page's policy)
  // Set for GET /NAME/wait: the server runs run_wait(*wait) off the io thread and sends its
  // reply instead of this one.
  std::optional<wait_job> wait;
};

// The reply for a failure: its status, its message and a newline.
control_reply failure_reply(const failure& error);

// What a request path names. Names are percent-decoded and may contain '/'; a registered name
// wins over the /count and /wait suffixes ("a/count" may be a failpoint).
enum class resource {
  list,   // "/"
  batch,  // "/failpoints" (a failpoint cannot be controlled under this exact name)
  name,   // "/NAME"
  count,  // "/NAME/count"
  wait,   // "/NAME/wait"
};

// What a route's handler gets: the request, its decoded target, and the failpoint name the path
// holds (empty for list and batch).
struct route_input {
  const control_request& request;
  const request_target& target;
  const std::string& name;
};

// One route of the control API.
struct route_spec {
  std::string_view method;  // "GET"
  std::string_view path;    // as README.md writes it: "/", "/NAME", "/NAME/count" ...
  resource names;           // what the path names
  bool changes;             // may change a failpoint (its answer is awaited by a `panic`)
  control_reply (*serve)(const route_input&);
};

// The route table (a constant array: usable until the process ends, even by the io thread while
// static objects are destroyed), in the order README.md lists the routes.
struct route_list {
  const route_spec* first;
  const route_spec* last;
  const route_spec* begin() const noexcept { return first; }
  const route_spec* end() const noexcept { return last; }
};
route_list routes() noexcept;

// Request limits, applied by the server's parser before a request reaches route().
// A FAILPOINTS batch is a few hundred bytes; 64 KiB leaves room without letting a client make
// the host allocate much.
inline constexpr std::uint32_t k_body_limit = 64 * 1024;
// Headers of real control requests are well under 1 KiB.
inline constexpr std::uint32_t k_header_limit = 8 * 1024;

// The reply to a request whose body is over k_body_limit (413).
control_reply body_too_large();
// The reply to a request whose headers are over k_header_limit (431).
control_reply headers_too_large();

// A wait blocks in slices of this length so that stop() and exit() never wait long for it.
inline constexpr std::chrono::milliseconds k_wait_slice{100};

// Longest timeout_ms accepted (a day); longer values are clamped.
inline constexpr std::chrono::milliseconds k_max_wait{24 * 60 * 60 * 1000};

// Serves one request. `token` empty: no authentication. Never throws; never blocks for long
// (it takes the runtime's locks briefly, as every function of failpoint/control.hpp does).
control_reply route(const control_request& request, const std::string& token);

// Whether a route with `method` may change a failpoint (PUT, DELETE): the server counts such a
// request's answer as in flight from before route() until it is written.
bool may_change(std::string_view method) noexcept;

// Runs a wait job (blocks; call it off the io thread) and returns its reply. Returns 503 early
// when `cancelled()` becomes true (the endpoint is stopping or the client left); it is checked
// once per k_wait_slice. Never throws.
control_reply run_wait(const wait_job& job, const std::function<bool()>& cancelled);

// Whether `authorization` is "Bearer <token>"; compares the token in constant time.
bool bearer_matches(std::string_view authorization, std::string_view token) noexcept;

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_ROUTER_HPP
