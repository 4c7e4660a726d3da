// test/http/internals_test.cpp: the endpoint's internal pieces without a socket: URL handling
// (host:port, request targets, name encoding) and the count of answers in flight.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "answers.hpp"
#include "url.hpp"

namespace {

using namespace std::chrono_literals;
namespace fhi = failpoint::http_internal;

}  // namespace

TEST_CASE("split_host_port splits host:port and names what is wrong otherwise", "[http][url]") {
  struct good {
    const char* text;
    const char* host;
    const char* port;
  };
  for (const good& g :
       {good{"127.0.0.1:0", "127.0.0.1", "0"}, good{"localhost:65535", "localhost", "65535"},
        good{"[::1]:8080", "::1", "8080"}}) {
    INFO(g.text);
    const auto r = fhi::split_host_port(g.text);
    REQUIRE(r.ok());
    CHECK(r.value().host == g.host);
    CHECK(r.value().port == g.port);
  }
  struct bad {
    const char* text;
    const char* message;
  };
  for (const bad& b : {bad{"nonsense", "no port"}, bad{"127.0.0.1:99999", "0 to 65535"},
                       bad{"127.0.0.1:", "0 to 65535"}, bad{"h:8x", "0 to 65535"},
                       bad{":80", "empty host"}, bad{"::1:80", "IPv6 address must be in brackets"},
                       bad{"[::1:80", "unterminated '['"}, bad{"[::1]", "no port after"}}) {
    INFO(b.text);
    const auto r = fhi::split_host_port(b.text);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains(b.text) && Catch::Contains(b.message) &&
                                      Catch::Contains("expected host:port"));
  }
  CHECK(fhi::join_host_port("::1", 80) == "[::1]:80");
  CHECK(fhi::join_host_port("127.0.0.1", 80) == "127.0.0.1:80");
}

TEST_CASE("parse_request_target decodes the path and query or fails with 400 and the position",
          "[http][url]") {
  const auto r = fhi::parse_request_target("/dir%2Fname%20x/wait?count=2&timeout_ms=5&flag");
  REQUIRE(r.ok());
  CHECK(r.value().path == "dir/name x/wait");
  REQUIRE(r.value().query.size() == 3);
  CHECK(r.value().query[0] == std::pair<std::string, std::string>{"count", "2"});
  CHECK(r.value().query[2].first == "flag");

  struct bad {
    const char* target;
    const char* message;
  };
  for (const bad& b : {bad{"", "must be a path starting with '/'"},
                       bad{"name", "must be a path starting with '/'"},
                       bad{"/a%zz", "malformed request target at byte 3"},
                       bad{"/a b", "malformed request target at byte 2"}}) {
    INFO(b.target);
    const auto e = fhi::parse_request_target(b.target);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().status == 400);
    CHECK_THAT(e.error().message, Catch::Contains(b.message));
  }
}

TEST_CASE("percent_encode_name round-trips every byte through parse_request_target",
          "[http][url]") {
  std::string every;
  for (int c = 1; c < 256; ++c)
    every.push_back(static_cast<char>(c));
  for (const std::string& name :
       {std::string("plain.name"), std::string("odd name?#%&+/x"), every}) {
    const auto r = fhi::parse_request_target("/" + fhi::percent_encode_name(name));
    REQUIRE(r.ok());
    CHECK(r.value().path == name);
  }
}

TEST_CASE("answer_count waits until every pending answer is released or the limit passes",
          "[http][answers]") {
  fhi::answer_count count;
  CHECK(count.wait_idle(0ms));
  {
    fhi::pending_answer a(count);
    fhi::pending_answer b(count);
    CHECK(count.in_flight() == 2);
    CHECK_FALSE(count.wait_idle(10ms));
    fhi::pending_answer moved(std::move(a));
    CHECK(count.in_flight() == 2);
    a.release();  // moved from: releases nothing
    CHECK(count.in_flight() == 2);
    b = std::move(moved);  // b's own answer ends; it now holds a's
    CHECK(count.in_flight() == 1);
    // Released from another thread while this one waits: the wait ends on the notification.
    std::thread releaser([&] {
      std::this_thread::sleep_for(20ms);
      b.release();
    });
    CHECK(count.wait_idle(60s));
    releaser.join();
    CHECK(count.in_flight() == 0);
  }
  CHECK(count.in_flight() == 0);  // destroyed after release: counted once
}
