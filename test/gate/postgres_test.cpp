// A real database behind the gate: PostgreSQL (started by the test on a loopback port in a
// temporary directory) and a libpq client with a timeout and a retry (kv_client). For every
// condition of the gate's table: what the client sees, then its recovery after pass.
#include "postgres.hpp"

#include <thread>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/gate.hpp"

#include "files.hpp"
#include "kv_client.hpp"

using namespace gate_test;
using std::chrono::milliseconds;

namespace {

// The client's limit per attempt. Far above a query's time on loopback, far below the faults
// that must exceed it (a 2 s delay, a stream that never arrives).
constexpr milliseconds k_timeout{500};

// One server and one gate per test process, stopped at exit.
struct database {
  postgres_server server;
  failpoint::tcp_gate gate{"pg", server.address()};
};
database& db() {
  static database d;
  return d;
}

// A client through the gate, the gate passing everything and the table ready.
struct fixture {
  fixture() {
    db().gate.reset();
    kv_client::options o;
    o.port = std::to_string(db().gate.port());
    o.timeout = k_timeout;
    o.attempts = 2;
    client.emplace(o);
    REQUIRE(client->init().ok);
    REQUIRE(client->put("greeting", "hello world").ok);
  }
  ~fixture() { db().gate.reset(); }

  // Pass again, and the client works: the part of every test that matters most.
  void recovers() {
    db().gate.reset();
    auto r = client->get("greeting");
    CHECK(r.ok);
    CHECK(r.value == std::optional<std::string>("hello world"));
  }

  // A get fails with a timeout; then pass, and the client works again.
  void times_out_then_recovers() {
    auto r = client->get("greeting");
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.error, Catch::Contains("timeout"));
    recovers();
  }

  failpoint::tcp_gate& gate = db().gate;
  std::optional<kv_client> client;
};

}  // namespace

TEST_CASE("postgres: the client works through the gate when everything passes", "[gate][pg]") {
  fixture f;
  auto r = f.client->get("greeting");
  CHECK(r.ok);
  CHECK(r.attempts == 1);
  CHECK(r.value == std::optional<std::string>("hello world"));
  CHECK(f.gate.counters().to_server_bytes > 0);
  CHECK(f.gate.counters().to_client_bytes > 0);
}

TEST_CASE("postgres: a gate that stops accepting makes connecting time out", "[gate][pg]") {
  fixture f;
  f.client->disconnect();
  f.gate.stop_accepting();
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK(r.attempts == 2);
  CHECK_THAT(r.error, Catch::Contains("timeout while connecting"));
  f.gate.start_accepting();
  f.recovers();
}

TEST_CASE("postgres: a server that does not read makes queries time out", "[gate][pg]") {
  fixture f;
  f.gate.to_server().no_read();
  f.times_out_then_recovers();
}

TEST_CASE("postgres: a client side that does not read makes queries time out", "[gate][pg]") {
  fixture f;
  f.gate.to_client().no_read();
  f.times_out_then_recovers();
}

TEST_CASE("postgres: a server that reads but does not answer makes queries time out",
          "[gate][pg]") {
  fixture f;
  f.gate.to_server().hold();
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("timeout"));
  f.gate.to_server().pass();
  f.gate.to_client().drop();  // the answers are read and lost
  f.times_out_then_recovers();
}

TEST_CASE("postgres: a delay longer than the timeout fails, a short one only slows", "[gate][pg]") {
  fixture f;
  f.gate.to_client().delay(milliseconds(2000));
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("timeout"));
  f.gate.to_client().delay(milliseconds(20));
  r = f.client->get("greeting");
  CHECK(r.ok);
  f.recovers();
}

TEST_CASE(
    "postgres: a connection closed on data fails every attempt, and closed once the retry works",
    "[gate][pg]") {
  fixture f;
  f.gate.to_server().close_on_data();
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK(r.attempts == 2);
  CHECK_FALSE(r.error.empty());
  f.gate.reset();
  failpoint::enable("gate.pg.to_server.close_on_data", "1*return");
  r = f.client->get("greeting");
  CHECK(r.ok);
  CHECK(r.attempts == 2);
  f.recovers();
}

TEST_CASE("postgres: connections closed by the gate are replaced by the retry", "[gate][pg]") {
  fixture f;
  REQUIRE(f.gate.wait_for_connections(1, milliseconds(10000)));
  f.gate.reset_counters();
  f.gate.close_connections();
  auto r = f.client->get("greeting");
  CHECK(r.ok);
  CHECK(r.attempts == 2);                                   // the first found its connection closed
  CHECK(f.gate.wait_for_accepted(1, milliseconds(10000)));  // the client reconnected
  f.recovers();
}

TEST_CASE("postgres: corrupted answers are refused by the client", "[gate][pg]") {
  fixture f;
  f.gate.to_client().corrupt(7);
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
  f.recovers();
}

TEST_CASE("postgres: a narrow link times out large answers and passes small ones", "[gate][pg]") {
  fixture f;
  REQUIRE(f.client->put("large", std::string(50000, 'x')).ok);
  f.gate.to_client().limit_bandwidth(4000);
  auto r = f.client->get("large");
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("timeout"));
  r = f.client->get("greeting");
  CHECK(r.ok);
  f.recovers();
}

TEST_CASE("postgres: a connection cut after some bytes fails a large answer", "[gate][pg]") {
  fixture f;
  REQUIRE(f.client->put("large", std::string(50000, 'x')).ok);
  f.client->disconnect();
  f.gate.to_client().close_after_bytes(2000);
  auto r = f.client->get("large");
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
  f.recovers();
}

TEST_CASE("postgres: a connection closed for its age is replaced by the retry", "[gate][pg]") {
  fixture f;
  f.gate.to_server().close_after(milliseconds(300));
  std::this_thread::sleep_for(milliseconds(400));
  auto r = f.client->get("greeting");  // the old connection is closed at this query
  CHECK(r.ok);
  CHECK(r.attempts == 2);
  f.recovers();
}

TEST_CASE("postgres: answers in 1-byte slices still parse", "[gate][pg]") {
  fixture f;
  REQUIRE(f.client->put("medium", std::string(3000, 'y')).ok);
  f.gate.reset_counters();
  f.gate.to_client().slice(1);
  auto r = f.client->get("medium");
  CHECK(r.ok);
  CHECK(r.value == std::optional<std::string>(std::string(3000, 'y')));
  CHECK(failpoint_test::eventually([&] { return f.gate.counters().to_client_writes >= 3000; }));
  f.recovers();
}

TEST_CASE("postgres: concatenation beyond a query's size stalls it, a small one does not",
          "[gate][pg]") {
  fixture f;
  f.gate.to_server().concat(100000);
  auto r = f.client->get("greeting");
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("timeout"));
  f.gate.to_server().concat(8);
  r = f.client->get("greeting");
  CHECK(r.ok);
  f.recovers();
}

TEST_CASE("postgres: substituted bytes reach the client unnoticed", "[gate][pg]") {
  fixture f;
  f.gate.to_client().substitute("world", "WORLD");
  auto r = f.client->get("greeting");
  CHECK(r.ok);
  CHECK(r.value == std::optional<std::string>("hello WORLD"));
  f.recovers();
}
