// Each behaviour of the gate over real loopback sockets, switched on a live connection (through
// the C++ API or directly by failpoint name), and the recovery after pass.
#include <thread>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "files.hpp"
#include "fixture.hpp"

using namespace gate_test;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {
// Long enough to show that nothing arrives while a behaviour holds data back. A negative check:
// on a slow machine it can only pass for the wrong reason, never fail for one.
constexpr milliseconds k_quiet{200};

// A server that only records what it receives, one message per recv, into `got`.
struct recording {
  std::mutex mutex;
  std::string got;
  std::string snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return got;
  }
  std::function<void(socket_fd&)> handler() {
    return [this](socket_fd& s) {
      for (;;) {
        std::string part = s.recv_some(milliseconds(20000));
        if (part.empty())
          return;
        std::lock_guard<std::mutex> lock(mutex);
        got += part;
      }
    };
  }
  // Waits until `n` bytes were received (bounded).
  std::string wait_for(std::size_t n) {
    for (int i = 0; i < 2000; ++i) {
      std::string s = snapshot();
      if (s.size() >= n)
        return s;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return snapshot();
  }
};

// A recording server behind the gate and a client connection through it, open at both ends.
struct recorded_connection {
  recorded_connection() : s(r.handler()), c(s.connect()) {
    REQUIRE(s.gate.wait_for_connections(1, milliseconds(10000)));
  }
  recording r;
  gated_server s;
  socket_fd c;
};

// The echo round trip of one message on an open connection.
bool round_trip(const socket_fd& c, const std::string& message) {
  return c.send_all(message) && c.recv_exact(message.size()) == message;
}
}  // namespace

TEST_CASE("no_read leaves data in the socket until pass", "[gate][behaviour]") {
  recorded_connection rc;
  recording& r = rc.r;
  gated_server& s = rc.s;
  const socket_fd& c = rc.c;
  s.gate.to_server().no_read();
  const std::string data = random_bytes(4096, 5);
  REQUIRE(c.send_all(data));
  std::this_thread::sleep_for(k_quiet);
  CHECK(r.snapshot().empty());
  CHECK(s.gate.counters().to_server_bytes == 0);
  s.gate.to_server().pass();
  CHECK(r.wait_for(data.size()) == data);
}

TEST_CASE("hold reads but forwards nothing until pass, then everything in order",
          "[gate][behaviour]") {
  recorded_connection rc;
  recording& r = rc.r;
  gated_server& s = rc.s;
  const socket_fd& c = rc.c;
  s.gate.to_server().hold();
  const std::string data = random_bytes(1024 * 1024, 6);
  REQUIRE(c.send_all(data));
  std::this_thread::sleep_for(k_quiet);
  CHECK(r.snapshot().empty());
  s.gate.to_server().pass();
  CHECK(r.wait_for(data.size()) == data);
}

TEST_CASE("drop throws away what is read, and pass forwards what comes after",
          "[gate][behaviour]") {
  recorded_connection rc;
  recording& r = rc.r;
  gated_server& s = rc.s;
  const socket_fd& c = rc.c;
  failpoint::enable("gate.t.to_server.drop", "return");
  REQUIRE(c.send_all("lost"));
  REQUIRE(failpoint::wait_for("gate.t.to_server.drop", 1, milliseconds(10000)));
  s.gate.to_server().pass();
  REQUIRE(c.send_all("kept"));
  CHECK(r.wait_for(4) == "kept");
}

TEST_CASE("delay forwards each chunk later", "[gate][behaviour]") {
  gated_server s;
  auto c = s.connect();
  REQUIRE(round_trip(c, "warm"));
  s.gate.to_client().delay(milliseconds(300));
  const auto start = clock_type::now();
  REQUIRE(round_trip(c, "slow"));
  CHECK(clock_type::now() - start >= milliseconds(300));
  s.gate.to_client().pass();
  REQUIRE(round_trip(c, "fast again"));
}

TEST_CASE("close_on_data closes the connection when data arrives, forwarding none",
          "[gate][behaviour]") {
  recorded_connection rc;
  recording& r = rc.r;
  gated_server& s = rc.s;
  const socket_fd& c = rc.c;
  s.gate.to_server().close_on_data();
  REQUIRE(c.send_all("boom"));
  CHECK(c.closed_within(milliseconds(10000)));
  CHECK(r.snapshot().empty());
  CHECK(failpoint_test::eventually([&] { return s.gate.counters().open == 0; }));
}

TEST_CASE("a counted close_on_data closes that many connections, then they pass",
          "[gate][behaviour]") {
  gated_server s;
  failpoint::enable("gate.t.to_server.close_on_data", "2*return");
  for (int i = 0; i < 2; ++i) {
    auto c = s.connect();
    REQUIRE(c.send_all("x"));
    CHECK(c.closed_within(milliseconds(10000)));
  }
  auto c = s.connect();
  CHECK(round_trip(c, "third passes"));
}

TEST_CASE("close_connections closes every open connection now", "[gate][behaviour]") {
  gated_server s;
  std::vector<socket_fd> clients;
  for (int i = 0; i < 3; ++i)
    clients.push_back(s.connect());
  REQUIRE(s.gate.wait_for_connections(3, milliseconds(10000)));
  s.gate.close_connections();
  CHECK(s.gate.counters().open == 0);
  for (auto& c : clients)
    CHECK(c.closed_within(milliseconds(10000)));
  // The same through the failpoint, as FAILPOINTS or the HTTP endpoint would set it.
  auto c = s.connect();
  REQUIRE(round_trip(c, "again"));
  failpoint::enable("gate.t.close_connections", "1*return");
  CHECK(c.closed_within(milliseconds(10000)));
  auto d = s.connect();
  CHECK(round_trip(d, "and new ones pass"));
}

TEST_CASE("stop_accepting keeps new connections waiting and start_accepting lets them in",
          "[gate][behaviour]") {
  gated_server s;
  s.gate.stop_accepting();
  auto c = s.connect();  // completes in the listen queue
  REQUIRE(c.send_all("queued"));
  std::this_thread::sleep_for(k_quiet);
  CHECK(s.gate.counters().accepted == 0);
  CHECK(c.recv_some(milliseconds(1)).empty());
  s.gate.start_accepting();
  REQUIRE(s.gate.wait_for_accepted(1, milliseconds(10000)));
  CHECK(c.recv_exact(6) == "queued");
}

TEST_CASE("corrupt changes every byte, the same way for the same seed", "[gate][behaviour]") {
  recording r;
  gated_server s(r.handler());
  const std::string data = random_bytes(10000, 7);
  s.gate.to_server().corrupt(42);
  std::string first;
  {
    auto c = s.connect();
    REQUIRE(c.send_all(data));
    first = r.wait_for(data.size());
  }
  REQUIRE(first.size() == data.size());
  for (std::size_t i = 0; i < data.size(); ++i)
    REQUIRE(first[i] != data[i]);
  {
    auto c = s.connect();
    REQUIRE(c.send_all(data));
    CHECK(r.wait_for(2 * data.size()).substr(data.size()) == first);
  }
}

TEST_CASE("limit_bandwidth paces the bytes", "[gate][behaviour]") {
  const std::string reply = random_bytes(30000, 8);
  gated_server s([&](socket_fd& sock) {
    if (sock.recv_exact(2) == "go")
      sock.send_all(reply);
  });
  auto c = s.connect();
  s.gate.to_client().limit_bandwidth(20000);
  const auto start = clock_type::now();
  REQUIRE(c.send_all("go"));
  CHECK(c.recv_exact(reply.size()) == reply);
  // 30000 bytes at 20000 B/s: at least the time of the bytes after the first piece.
  CHECK(clock_type::now() - start >= milliseconds(1000));
}

TEST_CASE("close_after_bytes passes that many bytes, then closes", "[gate][behaviour]") {
  const std::string reply = random_bytes(1000, 9);
  gated_server s([&](socket_fd& sock) {
    if (sock.recv_exact(2) == "go")
      sock.send_all(reply);
    sock.recv_all(milliseconds(10000));
  });
  auto c = s.connect();
  s.gate.to_client().close_after_bytes(100);
  REQUIRE(c.send_all("go"));
  CHECK(c.recv_all() == reply.substr(0, 100));  // then EOF
}

TEST_CASE("close_after closes a connection older than the limit at its next chunk",
          "[gate][behaviour]") {
  gated_server s;
  auto c = s.connect();
  REQUIRE(round_trip(c, "young"));
  s.gate.to_server().close_after(milliseconds(100));
  std::this_thread::sleep_for(milliseconds(150));
  REQUIRE(c.send_all("old"));
  CHECK(c.closed_within(milliseconds(10000)));
  auto d = s.connect();  // a new connection is young
  CHECK(round_trip(d, "new"));
}

TEST_CASE("slice forwards in writes of at most N bytes", "[gate][behaviour]") {
  const std::string reply = random_bytes(1000, 10);
  gated_server s([&](socket_fd& sock) {
    if (sock.recv_exact(2) == "go")
      sock.send_all(reply);
    sock.recv_all(milliseconds(10000));
  });
  auto c = s.connect();
  s.gate.to_client().slice(10);
  REQUIRE(c.send_all("go"));
  CHECK(c.recv_exact(reply.size()) == reply);
  REQUIRE(failpoint_test::eventually(
      [&] { return s.gate.counters().to_client_bytes == reply.size(); }));
  CHECK(s.gate.counters().to_client_writes >= 100);
}

TEST_CASE("concat forwards only once N bytes were collected", "[gate][behaviour]") {
  recorded_connection rc;
  recording& r = rc.r;
  gated_server& s = rc.s;
  const socket_fd& c = rc.c;
  s.gate.to_server().concat(4);
  REQUIRE(c.send_all("hi"));
  std::this_thread::sleep_for(k_quiet);
  CHECK(r.snapshot().empty());
  REQUIRE(c.send_all("hi"));
  CHECK(r.wait_for(4) == "hihi");
  REQUIRE(failpoint_test::eventually([&] { return s.gate.counters().to_server_bytes == 4; }));
  CHECK(s.gate.counters().to_server_writes == 1);
}

TEST_CASE("substitute replaces bytes in each chunk", "[gate][behaviour]") {
  gated_server s;
  auto c = s.connect();
  REQUIRE(round_trip(c, "hello world"));
  s.gate.to_client().substitute("world", "there, \"you\"");
  REQUIRE(c.send_all("hello world"));
  CHECK(c.recv_exact(18) == "hello there, \"you\"");
  CHECK(failpoint::status("gate.t.to_client.substitute")->terms ==
        "return(\"world->there, \\\"you\\\"\")");
}

TEST_CASE("behaviours of one direction leave the other alone", "[gate][behaviour]") {
  recording r;
  gated_server s([&](socket_fd& sock) {
    sock.send_all("from server");
    r.handler()(sock);
  });
  auto c = s.connect();
  CHECK(c.recv_exact(11) == "from server");
  s.gate.to_client().drop();
  REQUIRE(c.send_all("to server"));
  CHECK(r.wait_for(9) == "to server");
}

TEST_CASE("reset puts every behaviour back to pass: the restore pattern", "[gate][behaviour]") {
  gated_server s;
  auto c = s.connect();
  REQUIRE(round_trip(c, "before"));
  // Inject: the client's connection breaks and no new one is let in.
  s.gate.to_client().close_on_data();
  s.gate.stop_accepting();
  REQUIRE(c.send_all("lost"));
  CHECK(c.closed_within(milliseconds(10000)));
  // Pass again, wait for the client to reconnect, see it recover.
  s.gate.reset();
  s.gate.reset_counters();
  auto again = s.connect();
  REQUIRE(s.gate.wait_for_connections(1, milliseconds(10000)));
  CHECK(round_trip(again, "after"));
  CHECK(s.gate.counters().accepted == 1);
}
