// failpoint/gate.hpp: a TCP gate (chaos proxy) whose network faults are failpoints
// (library failpoint::gate).
//
// A gate listens on a loopback port and forwards every connection to an upstream. Each network
// fault it can make is an ordinary failpoint of its own code, named after the gate:
// `gate.NAME.accept`, `gate.NAME.close_connections`, and for each direction
// `gate.NAME.to_server.*` (client to server) and `gate.NAME.to_client.*` (server to client).
// So the same terms, FAILPOINTS, HTTP endpoint and failpointctl switch them, and a test in the
// gate's process can use the calls below, each of which only enables or disables one of those
// failpoints. The table of failpoints and the conditions they model is in docs/gate.md.
//
// Example (a test, in the style of userver's chaos.TcpGate fixture):
//   failpoint::tcp_gate gate("db", "127.0.0.1:5432");    // listens on 127.0.0.1:<free port>
//   connect_client_to(gate.address());
//   gate.to_client().delay(std::chrono::milliseconds(200));  // gate.db.to_client.delay=return(200)
//   ... the client times out ...
//   gate.reset();                                         // every behaviour back to pass
//   gate.wait_for_connections(1, std::chrono::seconds(5));   // the client reconnected
//
// Changes apply to live connections at their next chunk. The gate runs one io thread; a
// behaviour never blocks it (a `sleep` or `pause` term on a gate failpoint would: use the
// values instead).
#ifndef FAILPOINT_GATE_HPP
#define FAILPOINT_GATE_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "failpoint/export.hpp"

namespace failpoint {

namespace gate_internal {
class gate_impl;
}

// Counters of one gate since it started (or since reset_counters()). Read without locks.
struct gate_counters {
  std::uint64_t accepted = 0;          // client connections accepted
  std::uint64_t open = 0;              // connections open now (client side accepted, not closed)
  std::uint64_t to_server_bytes = 0;   // bytes written to servers
  std::uint64_t to_client_bytes = 0;   // bytes written to clients
  std::uint64_t to_server_writes = 0;  // write operations to servers (a slice is one)
  std::uint64_t to_client_writes = 0;  // write operations to clients
};

// A TCP gate between clients and one upstream server. Not copyable. Every method is thread-safe.
class FAILPOINT_EXPORT tcp_gate {
 public:
  // The behaviours of one direction (to_server: client to server; to_client: server to client).
  // Each call enables one failpoint `gate.NAME.DIRECTION.BEHAVIOUR` with `return(value)`, or
  // disables them; behaviours combine (a delay and a slice at once). Cheap: one enable call.
  class FAILPOINT_EXPORT direction {
   public:
    // Every behaviour of this direction off: bytes pass unchanged.
    void pass() const;
    // Stop reading: data stays in the socket buffers, so the sender blocks once they are full.
    void no_read() const;
    // Read but do not forward: bytes are kept and forwarded when hold is turned off.
    void hold() const;
    // Read and throw away.
    void drop() const;
    // Forward each chunk `ms` later.
    void delay(std::chrono::milliseconds ms) const;
    // Close the connection (both sides) when data arrives, without forwarding it.
    void close_on_data() const;
    // Flip bits of every forwarded byte; the same seed and stream give the same bytes.
    void corrupt(std::int64_t seed) const;
    // Forward at most `bytes_per_second`.
    void limit_bandwidth(std::int64_t bytes_per_second) const;
    // Close the connection once `bytes` have been forwarded in this direction.
    void close_after_bytes(std::int64_t bytes) const;
    // Close the connection at its first chunk once it is `ms` old.
    void close_after(std::chrono::milliseconds ms) const;
    // Forward in writes of at most `bytes`.
    void slice(std::int64_t bytes) const;
    // Forward only when at least `bytes` have been collected (or the sender closed).
    void concat(std::int64_t bytes) const;
    // Replace every `from` in each chunk with `to`.
    void substitute(std::string_view from, std::string_view to) const;

    // The failpoint name prefix of this direction, e.g. "gate.db.to_client.".
    const std::string& prefix() const noexcept { return prefix_; }

   private:
    friend class tcp_gate;
    explicit direction(std::string prefix) : prefix_(std::move(prefix)) {}
    std::string prefix_;
  };

  // Starts a gate named `name` (letters, digits, `_`, `-`; the failpoints are `gate.<name>.*`)
  // listening on `listen` ("host:port"; port 0 picks a free one) and forwarding to `upstream`
  // ("host:port", resolved at each connection). Throws std::invalid_argument for a bad name or
  // address or when a gate of that name is already running in this process, and
  // std::runtime_error when it cannot listen. Starts one thread.
  tcp_gate(std::string_view name, std::string_view upstream,
           std::string_view listen = "127.0.0.1:0");
  // Stops the gate (see stop()).
  ~tcp_gate();
  tcp_gate(const tcp_gate&) = delete;
  tcp_gate& operator=(const tcp_gate&) = delete;

  // The address clients connect to, "host:port".
  std::string address() const;
  std::uint16_t port() const;
  const std::string& name() const;

  direction to_server() const;
  direction to_client() const;

  // New connections wait in the listen queue (gate.NAME.accept=return) / are accepted again.
  void stop_accepting();
  void start_accepting();
  // Closes every open connection now, on both sides; returns once they are closed.
  void close_connections();
  // Every behaviour of this gate off (both directions, accepting); counters are kept.
  void reset();

  gate_counters counters() const;
  void reset_counters();
  // Blocks (condition variable) until at least `n` connections are open, or `timeout` passes.
  bool wait_for_connections(std::uint64_t n, std::chrono::milliseconds timeout) const;
  // Blocks until at least `n` connections were accepted since start or reset_counters().
  bool wait_for_accepted(std::uint64_t n, std::chrono::milliseconds timeout) const;

  // Closes the listener and every connection and joins the thread. Idempotent.
  void stop();

 private:
  std::unique_ptr<gate_internal::gate_impl> impl_;
};

}  // namespace failpoint

#endif  // FAILPOINT_GATE_HPP
