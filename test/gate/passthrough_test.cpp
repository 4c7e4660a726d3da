// With every behaviour off the gate is a transparent proxy: bytes arrive unchanged and in order
// both ways, half-closes are passed on, and thousands of connections leave nothing open.
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "files.hpp"
#include "fixture.hpp"

using namespace gate_test;
using std::chrono::milliseconds;

TEST_CASE("large random streams cross the gate unchanged in both directions at once",
          "[gate][passthrough]") {
  gated_server s;  // echo
  const std::string data = random_bytes(16 * 1024 * 1024 + 7, 1);
  auto c = s.connect();
  std::thread sender([&] {
    c.send_all(data);
    c.shutdown_send();
  });
  const std::string back = c.recv_all(milliseconds(60000));
  sender.join();
  CHECK(back.size() == data.size());
  CHECK(back == data);
  CHECK(
      failpoint_test::eventually([&] { return s.gate.counters().to_server_bytes == data.size(); }));
  CHECK(
      failpoint_test::eventually([&] { return s.gate.counters().to_client_bytes == data.size(); }));
}

TEST_CASE("each side's half-close reaches the other while the other direction goes on",
          "[gate][passthrough]") {
  const std::string request = random_bytes(3 * 1024 * 1024, 2);
  const std::string reply = random_bytes(5 * 1024 * 1024 + 3, 3);
  std::promise<std::string> received;
  // The server reads the whole request (until the client's EOF arrives through the gate), then
  // answers and closes.
  gated_server s([&](socket_fd& sock) {
    received.set_value(sock.recv_all(milliseconds(60000)));
    sock.send_all(reply);
  });
  auto c = s.connect();
  REQUIRE(c.send_all(request));
  c.shutdown_send();
  const std::string got = c.recv_all(milliseconds(60000));  // ends with the server's close
  CHECK(got == reply);
  CHECK(received.get_future().get() == request);
  CHECK(failpoint_test::eventually([&] { return s.gate.counters().open == 0; }));
}

TEST_CASE("a slow consumer gets every byte: the gate holds back instead of buffering all",
          "[gate][passthrough]") {
  const std::string reply = random_bytes(32 * 1024 * 1024, 4);
  gated_server s([&](socket_fd& sock) { sock.send_all(reply); });
  auto c = s.connect();
  // Do not read for a while: the gate may collect at most a few MiB, the rest waits in TCP.
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(s.gate.counters().to_client_bytes < reply.size());
  CHECK(c.recv_all(milliseconds(60000)) == reply);
}

TEST_CASE("thousands of connections leave no connection or descriptor open",
          "[gate][passthrough]") {
  gated_server s;
  const int before = open_descriptors();
  constexpr int connections = 3000;
  for (int i = 0; i < connections; ++i) {
    auto c = s.connect();
    const std::string ping = "ping " + std::to_string(i);
    REQUIRE(c.send_all(ping));
    REQUIRE(c.recv_exact(ping.size()) == ping);
  }
  REQUIRE(s.gate.wait_for_accepted(connections, milliseconds(10000)));
  // Every client closed: the gate closes both sides of each connection.
  CHECK(failpoint_test::eventually([&] { return s.gate.counters().open == 0; }));
  CHECK(s.gate.counters().accepted == connections);
  CHECK(open_descriptors() == before);
}

TEST_CASE("many connections at once all pass", "[gate][passthrough]") {
  gated_server s;
  std::vector<socket_fd> clients;
  for (int i = 0; i < 50; ++i)
    clients.push_back(s.connect());
  REQUIRE(s.gate.wait_for_connections(50, milliseconds(10000)));
  for (int i = 0; i < 50; ++i)
    REQUIRE(clients[i].send_all(random_bytes(100000, 100 + i)));
  for (int i = 0; i < 50; ++i)
    CHECK(clients[i].recv_exact(100000) == random_bytes(100000, 100 + i));
}

TEST_CASE("an upstream that refuses closes the client's connection", "[gate][passthrough]") {
  std::string dead;
  {
    server gone(echo);
    dead = gone.address();
  }
  failpoint::tcp_gate gate("t", dead);
  auto c = connect_to(gate.address());
  CHECK(c.closed_within(milliseconds(10000)));
}

TEST_CASE("bad names and addresses are refused with the reason", "[gate]") {
  server up(echo);
  CHECK_THROWS_WITH(failpoint::tcp_gate("a.b", up.address()), Catch::Contains("bad gate name"));
  CHECK_THROWS_WITH(failpoint::tcp_gate("t", "localhost"),
                    Catch::Contains("bad upstream address") && Catch::Contains("no port"));
  CHECK_THROWS_WITH(failpoint::tcp_gate("t", up.address(), "127.0.0.1:99999"),
                    Catch::Contains("bad listen address"));
  CHECK_THROWS_WITH(failpoint::tcp_gate("t", "no-such-host.invalid:80"),
                    Catch::Contains("cannot resolve"));
  failpoint::tcp_gate first("t", up.address());
  CHECK_THROWS_WITH(failpoint::tcp_gate("t", up.address()), Catch::Contains("already running"));
  CHECK_THROWS_AS(failpoint::tcp_gate("u", up.address(), first.address()), std::runtime_error);
}

TEST_CASE("a gate's failpoints are listed by name", "[gate]") {
  server up(echo);
  failpoint::tcp_gate gate("listed", up.address());
  for (const char* name :
       {"gate.listed.accept", "gate.listed.close_connections", "gate.listed.to_server.delay",
        "gate.listed.to_client.corrupt", "gate.listed.to_client.substitute"}) {
    INFO(name);
    CHECK(failpoint::status(name));
  }
  CHECK(failpoint::status("gate.listed.to_client.delay")->type == "int");
}
