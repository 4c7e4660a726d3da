// test/gate/fixture.hpp: an upstream server with a gate in front of it, reset between tests.
#ifndef FAILPOINT_TEST_GATE_FIXTURE_HPP
#define FAILPOINT_TEST_GATE_FIXTURE_HPP

#include <functional>

#include "failpoint/gate.hpp"

#include "net.hpp"

namespace gate_test {

// The upstream is declared first so that the gate (which holds connections to it) stops first.
struct gated_server {
  explicit gated_server(std::function<void(socket_fd&)> handler = echo)
      : upstream(std::move(handler)), gate("t", upstream.address()) {
    gate.reset();
  }
  ~gated_server() { gate.reset(); }
  socket_fd connect() const { return connect_to(gate.address()); }

  server upstream;
  failpoint::tcp_gate gate;
};

}  // namespace gate_test

#endif  // FAILPOINT_TEST_GATE_FIXTURE_HPP
