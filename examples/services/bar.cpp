// examples/services/bar.cpp: GET /bar/baz calls baz and answers "bar " + baz's answer; any
// failure of baz is answered with a 503 that says which.
//   bar --upstream BAZ_PORT [--timeout-ms N] --port-file F
// Failpoint bar.CallBaz (a string) replaces the call to baz by a fault: "refused", "timeout" or a
// status such as "503" (see services::injected).
#include "service.hpp"

namespace {

services::response call_baz(const services::config& cfg) {
  // failpoint: var CallBaz std::string
  // return services::injected(CallBaz);
  return services::get(cfg.upstream, "/baz", cfg.timeout);
}

}  // namespace

int main(int argc, char** argv) {
  const services::config cfg = services::parse_command_line(argc, argv);
  return services::serve("bar", cfg, [&cfg](const std::string& target) -> services::response {
    if (target != "/bar/baz")
      return {404, "no such route\n"};
    services::response baz;
    try {
      baz = call_baz(cfg);
    } catch (const services::connection_error&) {
      return {503, "The baz service is unavailable.\n"};
    } catch (const services::timeout_error&) {
      return {503, "The baz service timed out.\n"};
    }
    if (baz.status != 200)
      return {503, "The baz service is malfunctioning.\n"};
    return {200, "bar " + baz.body};
  });
}
