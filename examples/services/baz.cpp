// examples/services/baz.cpp: GET /baz answers "baz".
//   baz --port-file F
// Failpoint baz.Unavailable: `return` answers 503; `sleep("2s")` makes baz slow, so that its
// caller's real time limit runs out.
#include "service.hpp"

int main(int argc, char** argv) {
  const services::config cfg = services::parse_command_line(argc, argv);
  return services::serve("baz", cfg, [](const std::string& target) -> services::response {
    if (target != "/baz")
      return {404, "no such route\n"};
    // failpoint: var Unavailable
    // return {503, "baz is unavailable\n"};
    return {200, "baz"};
  });
}
