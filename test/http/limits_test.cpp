// test/http/limits_test.cpp: size limits, malformed requests, timeouts, the connection bound and
// a bounded load test, over raw loopback sockets where the client must misbehave.
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/http.hpp"

#include "sites.hpp"
#include "util.hpp"

namespace {

using namespace std::chrono_literals;

using fpt::endpoint;

// Sends raw bytes on a new connection; returns everything read until the server closes.
std::string round_trip(const std::string& address, const std::string& request,
                       std::chrono::milliseconds timeout = 5s, bool* closed = nullptr) {
  const int fd = fpt::connect_raw(address);
  REQUIRE(fd >= 0);
  fpt::send_all(fd, request);
  std::string out = fpt::read_until_close(fd, timeout, closed);
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("a body over 64 KiB gets 413 and changes nothing", "[http][limits]") {
  endpoint ep;
  const std::string body = "http.plain=return;" + std::string(70 * 1024, ' ');
  const std::string req =
      "PUT /failpoints HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  bool closed = false;
  const std::string res = round_trip(ep.address, req, 5s, &closed);
  CHECK(fpt::status_of(res) == 413);
  CHECK(closed);
  CHECK(failpoint::status("http.plain")->terms.empty());
  // Chunked bodies are limited too.
  std::string chunked = "PUT /http.plain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 80; ++i)
    chunked += "400\r\n" + std::string(1024, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  CHECK(fpt::status_of(round_trip(ep.address, chunked)) == 413);
  // Just under the limit is fine.
  const std::string ok_body = "http.plain=return" + std::string(60 * 1024, ' ');
  CHECK(fpt::call(ep.address, "PUT", "/failpoints", ok_body).status == 204);
}

TEST_CASE("headers over 8 KiB get 431", "[http][limits]") {
  endpoint ep;
  const std::string req =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9 * 1024, 'a') + "\r\n\r\n";
  CHECK(fpt::status_of(round_trip(ep.address, req)) == 431);
  const std::string many = [] {
    std::string r = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 600; ++i)
      r += "X-H" + std::to_string(i) + ": 0123456789\r\n";
    return r + "\r\n";
  }();
  CHECK(fpt::status_of(round_trip(ep.address, many)) == 431);
}

TEST_CASE("malformed requests get 400 and the connection is closed", "[http][limits]") {
  endpoint ep;
  for (const std::string& req :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/1.1 trailing\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string("\x01\x02\x03\x04\r\n\r\n")}) {
    INFO(req);
    bool closed = false;
    const std::string res = round_trip(ep.address, req, 5s, &closed);
    CHECK(fpt::status_of(res) == 400);
    CHECK(closed);
  }
  // A well-formed request whose target is not a path is refused by the routes.
  CHECK(fpt::status_of(round_trip(ep.address,
                                  "GET http://host/x HTTP/1.1\r\nHost: x\r\n"
                                  "Connection: close\r\n\r\n")) == 400);
  // The endpoint still serves.
  CHECK(fpt::call(ep.address, "GET", "/").status == 200);
}

TEST_CASE("idle and slow clients are closed after the timeout", "[http][limits]") {
  failpoint::http::options opts;
  opts.timeout = 300ms;
  endpoint ep(opts);
  // Idle: connects and sends nothing.
  {
    const int fd = fpt::connect_raw(ep.address);
    const auto t0 = std::chrono::steady_clock::now();
    bool closed = false;
    fpt::read_until_close(fd, 5s, &closed);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(closed);
    CHECK(took >= 250ms);
    CHECK(took < 3s);
    ::close(fd);
  }
  // Slow: sends a byte every 50 ms, never finishing the request.
  {
    const int fd = fpt::connect_raw(ep.address);
    const auto t0 = std::chrono::steady_clock::now();
    bool closed = false;
    const std::string req = "GET / HTTP/1.1\r\nHost: a-very-slow-client-indeed\r\n";
    for (char c : req) {
      if (!fpt::send_all(fd, std::string(1, c)))
        break;
      std::string got = fpt::read_until_close(fd, 50ms, &closed);
      if (closed)
        break;
    }
    if (!closed)
      fpt::read_until_close(fd, 5s, &closed);
    CHECK(closed);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    ::close(fd);
  }
  // Idle after a complete request on a kept-alive connection.
  {
    const int fd = fpt::connect_raw(ep.address);
    fpt::send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    const std::string res = fpt::read_until_close(fd, 5s, &closed);
    CHECK(fpt::status_of(res) == 200);
    CHECK(closed);
    ::close(fd);
  }
  CHECK(fpt::call(ep.address, "GET", "/").status == 200);
}

TEST_CASE("several requests share one kept-alive connection", "[http][limits]") {
  endpoint ep;
  const int fd = fpt::connect_raw(ep.address);
  REQUIRE(fd >= 0);
  std::string pipelined;
  for (int i = 0; i < 3; ++i)
    pipelined += "GET /http.plain/count HTTP/1.1\r\nHost: x\r\n\r\n";
  pipelined += "GET /http.plain/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  fpt::send_all(fd, pipelined);
  bool closed = false;
  const std::string res = fpt::read_until_close(fd, 5s, &closed);
  CHECK(closed);
  std::size_t responses = 0;
  for (auto pos = res.find("HTTP/1.1 200"); pos != std::string::npos;
       pos = res.find("HTTP/1.1 200", pos + 1)) {
    ++responses;
  }
  CHECK(responses == 4);
  ::close(fd);
}

TEST_CASE("a response to HEAD has no body and the connection stays usable", "[http][limits]") {
  endpoint ep;
  const int fd = fpt::connect_raw(ep.address);
  REQUIRE(fd >= 0);
  fpt::send_all(fd,
                "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /http.plain/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool closed = false;
  const std::string res = fpt::read_until_close(fd, 5s, &closed);
  CHECK(closed);
  CHECK(fpt::status_of(res) == 405);
  const auto second = res.find("HTTP/1.1 200");
  REQUIRE(second != std::string::npos);
  // Nothing but headers between the two responses.
  CHECK(res.find("\r\n\r\n") + 4 == second);
  CHECK(res.substr(res.size() - 1) == "0");
  ::close(fd);
}

TEST_CASE("connections over the bound get 503 and are closed while others are still served",
          "[http][limits]") {
  failpoint::http::options opts;
  opts.max_connections = 8;
  endpoint ep(opts);
  std::vector<int> held;
  for (int i = 0; i < 8; ++i) {
    const int fd = fpt::connect_raw(ep.address);
    REQUIRE(fd >= 0);
    // A complete request makes sure the server accepted (and counts) this connection.
    fpt::send_all(fd, "GET /http.plain/count HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(fpt::status_of(fpt::read_response(fd, 2s)) == 200);
    held.push_back(fd);
  }
  for (int i = 0; i < 3; ++i) {
    bool closed = false;
    const std::string res =
        round_trip(ep.address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5s, &closed);
    CHECK(fpt::status_of(res) == 503);
    CHECK(closed);
  }
  ::close(held.back());
  held.pop_back();
  // The freed slot is usable again (the server notices the close asynchronously).
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    status = fpt::call(ep.address, "GET", "/").status;
    if (status != 200)
      std::this_thread::sleep_for(20ms);
  }
  CHECK(status == 200);
  for (int fd : held)
    ::close(fd);
}

TEST_CASE("default bound: 64 connections are served and the 65th gets 503", "[http][limits]") {
  endpoint ep;
  std::vector<int> held;
  for (int i = 0; i < 64; ++i) {
    const int fd = fpt::connect_raw(ep.address);
    REQUIRE(fd >= 0);
    fpt::send_all(fd, "GET /http.plain/count HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(fpt::status_of(fpt::read_response(fd, 2s)) == 200);
    held.push_back(fd);
  }
  CHECK(fpt::status_of(round_trip(ep.address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")) == 503);
  for (int fd : held)
    ::close(fd);
}

TEST_CASE("load: hundreds of requests from several clients while threads hit failpoints",
          "[http][load]") {
  endpoint ep;
  std::atomic<bool> done{false};
  std::atomic<long> hits{0};
  std::vector<std::thread> hitters;
  for (int t = 0; t < 4; ++t) {
    hitters.emplace_back([&, t] {
      while (!done.load()) {
        if (sites::load(t))
          hits.fetch_add(1);
        // A pausing/sleeping failpoint must not hold up control requests.
        if (t == 3 && sites::plain())
          hits.fetch_add(1);
      }
    });
  }
  failpoint::enable("http.plain", "sleep(\"1ms\")");
  // A thread paused in a failpoint for the whole test: control requests must not wait for it.
  failpoint::enable("http.value", "pause");
  std::thread paused([] { sites::value(); });
  REQUIRE(failpoint::wait_for("http.value", 1, 5s));
  constexpr int k_clients = 8;
  constexpr int k_requests = 60;  // per client: 480 in all
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < k_clients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < k_requests; ++i) {
        const std::string name = "/http.load." + std::to_string((c + i) % 4);
        failpoint::ctl::response res;
        switch (i % 5) {
          case 0:
            res = fpt::call(ep.address, "PUT", name, "50%return");
            if (res.status != 204)
              failures.fetch_add(1);
            break;
          case 1:
            res = fpt::call(ep.address, "GET", name + "/count");
            if (res.status != 200)
              failures.fetch_add(1);
            break;
          case 2:
            res = fpt::call(ep.address, "GET", "/?format=json");
            if (res.status != 200)
              failures.fetch_add(1);
            break;
          case 3:
            res = fpt::call(ep.address, "GET", name + "/wait?count=0&timeout_ms=100");
            if (res.status != 200)
              failures.fetch_add(1);
            break;
          default:
            res = fpt::call(ep.address, "DELETE", name);
            if (res.status != 204)
              failures.fetch_add(1);
        }
        if (!res.error.empty())
          UNSCOPED_INFO("request failed: " << res.error);
      }
    });
  }
  for (auto& t : clients)
    t.join();
  CHECK(fpt::call(ep.address, "GET", "/http.value").body == "pause\n");
  CHECK(fpt::call(ep.address, "DELETE", "/http.value").status == 204);  // releases it
  paused.join();
  done = true;
  for (auto& t : hitters)
    t.join();
  CHECK(failures.load() == 0);
  CHECK(hits.load() > 0);
}
