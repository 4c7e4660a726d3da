// http-control/endpoint.hpp: internal entry points of the endpoint (server.cpp) for autostart.cpp
// and for keep_linked.cpp, which is compiled into the programs that link failpoint::http.
#ifndef FAILPOINT_HTTP_CONTROL_ENDPOINT_HPP
#define FAILPOINT_HTTP_CONTROL_ENDPOINT_HPP

#include <string>
#include <string_view>

#include "failpoint/export.hpp"
#include "failpoint/http.hpp"

namespace failpoint {
namespace http_internal {

// failpoint::http::start; `at_load`: called from the library's initializer, before the program's
// failpoint sites exist, so accepting (and the address file) waits for
// failpoint_http_program_ready().
std::string start_endpoint(std::string_view address, const http::options& opts, bool at_load);

}  // namespace http_internal
}  // namespace failpoint

// Called by keep_linked.cpp's initializer, i.e. after the program's own static initializers
// (its failpoint sites) ran: an endpoint started at load time begins accepting. Idempotent.
extern "C" FAILPOINT_EXPORT void failpoint_http_program_ready() noexcept;

#endif  // FAILPOINT_HTTP_CONTROL_ENDPOINT_HPP
