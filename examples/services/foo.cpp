// examples/services/foo.cpp: GET /foo/bar/baz calls bar and answers "foo " + bar's answer.
//   foo --upstream BAR_PORT [--timeout-ms N] --port-file F
// Failpoint foo.CallBar (a string) replaces the call to bar by a fault: "refused", "timeout" or
// a status such as "503" (see services::injected).
//
// Built twice from this file. services_foo has the Filibuster tutorial's bug: it handles bar's
// timeout and bar's error statuses, but not a connection error, which escapes the handler and
// becomes a 500 instead of the 503 its clients expect. services_foo_fixed (FOO_FIXED) handles it.
#include "service.hpp"

namespace {

services::response call_bar(const services::config& cfg) {
  // failpoint: var CallBar std::string
  // return services::injected(CallBar);
  return services::get(cfg.upstream, "/bar/baz", cfg.timeout);
}

}  // namespace

int main(int argc, char** argv) {
  const services::config cfg = services::parse_command_line(argc, argv);
  return services::serve("foo", cfg, [&cfg](const std::string& target) -> services::response {
    if (target != "/foo/bar/baz")
      return {404, "no such route\n"};
    services::response bar;
    try {
      bar = call_bar(cfg);
#ifdef FOO_FIXED
    } catch (const services::connection_error&) {
      return {503, "The bar service is unavailable.\n"};
#endif
    } catch (const services::timeout_error&) {
      return {503, "The bar service timed out.\n"};
    }
    if (bar.status != 200)
      return {503, "The bar service is malfunctioning.\n"};
    return {200, "foo " + bar.body};
  });
}
