// http-control/autostart.cpp: starts the endpoint at load time when FAILPOINTS_HTTP is set.
//
// This library's static initializer runs after the runtime's (it depends on it) and before the
// program's own initializers and main(): the endpoint listens from then on and accepts once the
// program's failpoint sites are registered (see keep_linked.cpp). A bad setting is reported on
// stderr and ends the process with status 1, as a bad FAILPOINTS does: a test that asked for an
// endpoint must not run without one.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "failpoint/http.hpp"

#include "endpoint.hpp"

// Defined by the runtime (runtime/control.cpp): tells it that FAILPOINTS_HTTP has a server here,
// so that it does not report the variable as unserved.
extern "C" void failpoint_runtime_http_present() noexcept;

namespace failpoint {
namespace http_internal {
namespace {

[[noreturn]] void fail(const char* variable, const std::string& message) {
  std::fprintf(stderr, "failpoint: %s: %s\n", variable, message.c_str());
  std::exit(1);
}

// Reads FAILPOINTS_HTTP and friends; starts the endpoint when FAILPOINTS_HTTP is non-empty.
void autostart() {
  failpoint_runtime_http_present();
  const char* address = std::getenv("FAILPOINTS_HTTP");
  if (address == nullptr || *address == '\0')
    return;
  http::options opts;
  if (const char* remote = std::getenv("FAILPOINTS_HTTP_ALLOW_REMOTE")) {
    if (std::strcmp(remote, "1") == 0) {
      opts.allow_remote = true;
    } else if (*remote != '\0' && std::strcmp(remote, "0") != 0) {
      fail("FAILPOINTS_HTTP_ALLOW_REMOTE", std::string("\"") + remote + "\": expected 0 or 1");
    }
  }
  if (const char* token = std::getenv("FAILPOINTS_HTTP_TOKEN"))
    opts.token = token;
  if (const char* file = std::getenv("FAILPOINTS_HTTP_ADDR_FILE"))
    opts.address_file = file;
  try {
    start_endpoint(address, opts, true);
  } catch (const std::exception& e) {
    fail("FAILPOINTS_HTTP", e.what());
  }
}

const int autostarted = (autostart(), 0);

}  // namespace
}  // namespace http_internal
}  // namespace failpoint
