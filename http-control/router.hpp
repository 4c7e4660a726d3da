// http-control/router.hpp: the control API's routes as a pure function from request to reply.
//
// Internal header. The router knows nothing about sockets or Beast: the server (server.cpp)
// parses a request, calls route(), and writes the reply. A reply may carry a deferred change
// (applied once the response is written: terms that end the process) or a wait job (run off the
// io thread by run_wait(), whose reply the server writes when it is ready).
//
// Routes (names are percent-decoded; a name may contain '/'):
//   GET    /                      every registered failpoint as `name=terms` lines (JSON with
//                                 ?format=json or Accept: application/json)
//   GET    /NAME                  its terms and a newline; 404 when unknown or disabled
//   PUT    /NAME                  body = terms; 204, 400 (bad terms), 404 (unknown)
//   DELETE /NAME                  204, 404 (unknown)
//   GET    /NAME/count            how many times a term ran since it was enabled
//   GET    /NAME/wait?count=N[&timeout_ms=T]   200 once reached, 408 on timeout
//   PUT    /failpoints            body = FAILPOINTS spec, applied all at once or not at all
//   DELETE /failpoints            every failpoint disabled (both: the path in any letter case)
// A registered name wins over the /count and /wait suffixes ("a/count" may be a failpoint).
#ifndef FAILPOINT_HTTP_CONTROL_ROUTER_HPP
#define FAILPOINT_HTTP_CONTROL_ROUTER_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace failpoint {
namespace detail {

// A parsed request, as far as the routes need it.
struct control_request {
  std::string_view method;  // as sent, case-sensitive ("GET")
  std::string_view target;  // origin-form: "/name%2Fx/wait?count=2"
  std::string_view body;
  std::string_view authorization;  // the Authorization header, or empty
  std::string_view accept;         // the Accept header, or empty
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
  bool authenticate = false;  // 401: send `WWW-Authenticate: Bearer`
  // Runs on the io thread once the response has been fully written (or failed to be): the
  // change of a PUT whose terms may end the process, so that its 204 leaves first.
  std::function<void()> after_write;
  // Set for GET /NAME/wait: the server runs run_wait(*wait) off the io thread and sends its
  // reply instead of this one.
  std::optional<wait_job> wait;
};

// A wait blocks in slices of this length so that stop() and exit() never wait long for it.
inline constexpr std::chrono::milliseconds k_wait_slice{100};

// Longest timeout_ms accepted (a day); longer values are clamped.
inline constexpr std::chrono::milliseconds k_max_wait{24 * 60 * 60 * 1000};

// Serves one request. `token` empty: no authentication. Never throws; never blocks for long
// (it takes the runtime's locks briefly, as every function of failpoint/control.hpp does).
control_reply route(const control_request& request, const std::string& token);

// Runs a wait job (blocks; call it off the io thread) and returns its reply. Returns 503 early
// when `cancelled()` becomes true (the endpoint is stopping or the client left); it is checked
// once per k_wait_slice. Never throws.
control_reply run_wait(const wait_job& job, const std::function<bool()>& cancelled);

// Whether `authorization` is "Bearer <token>"; compares the token in constant time.
bool bearer_matches(std::string_view authorization, std::string_view token) noexcept;

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_ROUTER_HPP
