// test/http/routes_test.cpp: every route of the control API over real loopback HTTP.
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "failpoint/control.hpp"
#include "failpoint/http.hpp"

#include "sites.hpp"
#include "util.hpp"

namespace {

using fpt::call;

// Starts the endpoint on a free loopback port for one test; stops it and resets every
// failpoint afterwards.
using fpt::endpoint;

}  // namespace

TEST_CASE("start returns the bound loopback address and stop releases it", "[http]") {
  {
    endpoint ep;
    CHECK(ep.address.rfind("127.0.0.1:", 0) == 0);
    CHECK(ep.address != "127.0.0.1:0");
    CHECK(failpoint::http::address() == ep.address);
    CHECK_THROWS_WITH(failpoint::http::start("127.0.0.1:0"),
                      Catch::Contains("already runs on " + ep.address));
  }
  CHECK(failpoint::http::address().empty());
  failpoint::http::stop();  // not running: nothing happens
  endpoint again;           // can start again after stop
  CHECK(call(again.address, "GET", "/").status == 200);
}

TEST_CASE("GET / lists every registered failpoint sorted by name with disabled ones as name=",
          "[http]") {
  endpoint ep;
  failpoint::enable("http.value", "return(7)");
  const auto res = call(ep.address, "GET", "/");
  REQUIRE(res.status == 200);
  CHECK(res.header("Content-Type").find("text/plain") == 0);
  CHECK(res.body.find("http.plain=\n") != std::string::npos);
  CHECK(res.body.find("http.value=return(7)\n") != std::string::npos);
  CHECK(res.body.find("dir/name/count=\n") != std::string::npos);
  // Sorted by name.
  CHECK(res.body.find("dir/name=") < res.body.find("http.plain="));
  CHECK(res.body.find("http.plain=") < res.body.find("http.value="));
}

TEST_CASE("GET /?format=json and Accept: application/json give name terms count sites and type",
          "[http]") {
  endpoint ep;
  failpoint::enable("http.value", "return(3)");
  CHECK(sites::value() == 3);
  CHECK(sites::value() == 3);
  for (const auto& res : {call(ep.address, "GET", "/?format=json"),
                          call(ep.address, "GET", "/", "", {{"Accept", "application/json"}})}) {
    REQUIRE(res.status == 200);
    CHECK(res.header("Content-Type") == "application/json");
    const auto list = nlohmann::json::parse(res.body);
    REQUIRE(list.is_array());
    bool found = false;
    for (const auto& fp : list) {
      if (fp["name"] != "http.value")
        continue;
      found = true;
      CHECK(fp["terms"] == "return(3)");
      CHECK(fp["count"] == 2);
      CHECK(fp["type"] == "int");
      REQUIRE(fp["sites"].size() == 1);
      CHECK(fp["sites"][0].get<std::string>().find("sites.cpp:") != std::string::npos);
    }
    CHECK(found);
  }
  CHECK(call(ep.address, "GET", "/?format=text").header("Content-Type").find("text/plain") == 0);
  CHECK(call(ep.address, "GET", "/?format=xml").status == 400);
}

TEST_CASE("PUT /NAME enables and GET /NAME returns the terms and DELETE /NAME disables", "[http]") {
  endpoint ep;
  auto put = call(ep.address, "PUT", "/http.plain", "return");
  CHECK(put.status == 204);
  CHECK(put.body.empty());
  CHECK(sites::plain());
  auto get = call(ep.address, "GET", "/http.plain");
  CHECK(get.status == 200);
  CHECK(get.body == "return\n");
  CHECK(call(ep.address, "PUT", "/http.value", "2*return(42)").status == 204);
  CHECK(sites::value() == 42);
  CHECK(call(ep.address, "DELETE", "/http.plain").status == 204);
  CHECK_FALSE(sites::plain());
  CHECK(call(ep.address, "GET", "/http.plain").status == 404);
  CHECK(failpoint::status("http.plain")->terms.empty());
}

TEST_CASE("GET /NAME is 404 for a disabled or unknown failpoint with the closest names", "[http]") {
  endpoint ep;
  const auto disabled = call(ep.address, "GET", "/http.plain");
  CHECK(disabled.status == 404);
  CHECK(disabled.body.find("disabled") != std::string::npos);
  const auto unknown = call(ep.address, "GET", "/http.plian");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("\"http.plian\"") != std::string::npos);
  CHECK(unknown.body.find("did you mean \"http.plain\"") != std::string::npos);
}

TEST_CASE("PUT /NAME with bad terms is 400 naming the byte position and changes nothing",
          "[http]") {
  endpoint ep;
  failpoint::enable("http.plain", "return");
  const auto res = call(ep.address, "PUT", "/http.plain", "3*retrun");
  CHECK(res.status == 400);
  CHECK(res.body.find("byte 2") != std::string::npos);
  CHECK(res.body.find("retrun") != std::string::npos);
  CHECK(failpoint::status("http.plain")->terms == "return");
}

TEST_CASE("PUT of a value the failpoint's type cannot take is 400 naming it and changes nothing",
          "[http][types]") {
  endpoint ep;
  failpoint::enable("http.value", "return(1)");
  const auto text = call(ep.address, "PUT", "/http.value", "return(\"10\")");
  CHECK(text.status == 400);
  CHECK(text.body.find("value \"10\" does not fit failpoint \"http.value\" of type int") !=
        std::string::npos);
  CHECK(failpoint::status("http.value")->terms == "return(1)");
  // http.plain carries no value.
  const auto plain = call(ep.address, "PUT", "/http.plain", "return(true)");
  CHECK(plain.status == 400);
  CHECK(plain.body.find("failpoint \"http.plain\"") != std::string::npos);
  CHECK(failpoint::status("http.plain")->terms.empty());
  // A batch with one misfit applies nothing.
  const auto batch =
      call(ep.address, "PUT", "/failpoints", "http.plain=return\nhttp.value=return(true)");
  CHECK(batch.status == 400);
  CHECK(batch.body.find("type int") != std::string::npos);
  CHECK(failpoint::status("http.plain")->terms.empty());
  CHECK(failpoint::status("http.value")->terms == "return(1)");
}

TEST_CASE("PUT and DELETE of an unknown name are 404 with the closest names", "[http]") {
  endpoint ep;
  const auto put = call(ep.address, "PUT", "/http.valeu", "return(1)");
  CHECK(put.status == 404);
  CHECK(put.body.find("did you mean \"http.value\"") != std::string::npos);
  const auto del = call(ep.address, "DELETE", "/http.valeu");
  CHECK(del.status == 404);
  CHECK(del.body.find("http.value") != std::string::npos);
}

TEST_CASE("GET /NAME/count counts the runs since the failpoint was enabled", "[http]") {
  endpoint ep;
  CHECK(call(ep.address, "GET", "/http.plain/count").body == "0");
  failpoint::enable("http.plain", "return");
  for (int i = 0; i < 5; ++i)
    sites::plain();
  const auto res = call(ep.address, "GET", "/http.plain/count");
  CHECK(res.status == 200);
  CHECK(res.body == "5");
  CHECK(call(ep.address, "PUT", "/http.plain", "return").status == 204);
  CHECK(call(ep.address, "GET", "/http.plain/count").body == "0");
  const auto unknown = call(ep.address, "GET", "/nope/count");
  CHECK(unknown.status == 404);
}

TEST_CASE("PUT /failpoints applies a batch at once and one bad entry applies nothing", "[http]") {
  endpoint ep;
  CHECK(call(ep.address, "PUT", "/failpoints", "http.plain=return;http.value=return(9)").status ==
        204);
  CHECK(sites::plain());
  CHECK(sites::value() == 9);
  failpoint::disable_all();

  const auto bad = call(ep.address, "PUT", "/failpoints", "http.plain=return;http.value=retrun(9)");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("http.value") != std::string::npos);
  CHECK(failpoint::status("http.plain")->terms.empty());
  CHECK(failpoint::status("http.value")->terms.empty());

  const auto unknown =
      call(ep.address, "PUT", "/failpoints", "http.plain=return;http.valeu=return(1)");
  CHECK(unknown.status == 400);
  CHECK(unknown.body.find("did you mean \"http.value\"") != std::string::npos);
  CHECK(failpoint::status("http.plain")->terms.empty());

  const auto malformed = call(ep.address, "PUT", "/failpoints", "http.plain");
  CHECK(malformed.status == 400);
  CHECK(failpoint::status("http.plain")->terms.empty());
}

TEST_CASE("DELETE /failpoints disables every failpoint", "[http]") {
  endpoint ep;
  failpoint::enable("http.plain", "return");
  failpoint::enable("http.value", "return(1)");
  CHECK(call(ep.address, "DELETE", "/failpoints").status == 204);
  CHECK_FALSE(sites::plain());
  CHECK(sites::value() == 0);
  CHECK(call(ep.address, "GET", "/").body.find("http.plain=\n") != std::string::npos);
}

TEST_CASE("names are URL-decoded and may contain '/' and a registered name wins over /count",
          "[http]") {
  endpoint ep;
  // "odd name?#%&+" needs escapes for ' ', '?', '#', '%', '&'; '+' stays '+'.
  CHECK(call(ep.address, "PUT", "/odd%20name%3F%23%25%26+", "return").status == 204);
  CHECK(sites::odd());
  CHECK(call(ep.address, "GET", "/odd%20name%3F%23%25%26%2B").body == "return\n");
  CHECK(call(ep.address, "GET", "/odd%20name%3F%23%25%26+/count").body == "1");

  CHECK(call(ep.address, "PUT", "/dir/name", "return").status == 204);
  CHECK(sites::slash());
  CHECK(call(ep.address, "GET", "/dir%2Fname").body == "return\n");
  CHECK(call(ep.address, "PUT", "/dir/name/count", "1*return").status == 204);
  CHECK(sites::slash_count());
  // "dir/name/count" is a registered name: GET gives its terms, not the count of "dir/name".
  CHECK(call(ep.address, "GET", "/dir/name/count").body == "1*return\n");
  CHECK(call(ep.address, "GET", "/dir/name/count/count").body == "1");

  CHECK(call(ep.address, "GET", "/bad%zzescape").status == 400);
  CHECK(call(ep.address, "GET", "/bad%2").status == 400);
}

TEST_CASE("other methods get 405 with the Allow header of the resource", "[http]") {
  endpoint ep;
  struct row {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (const row& r :
       {row{"POST", "/", "GET"}, row{"PUT", "/", "GET"},
        row{"POST", "/http.plain", "GET, PUT, DELETE"},
        row{"PATCH", "/http.plain", "GET, PUT, DELETE"}, row{"PUT", "/http.plain/count", "GET"},
        row{"DELETE", "/http.plain/wait?count=1", "GET"}, row{"GET", "/failpoints", "PUT, DELETE"},
        row{"BREW", "/http.plain", "GET, PUT, DELETE"}}) {
    INFO(r.method << " " << r.target);
    const auto res = call(ep.address, r.method, r.target);
    CHECK(res.status == 405);
    CHECK(res.header("Allow") == r.allow);
  }
}

TEST_CASE("with a token every request needs `Authorization: Bearer <token>`", "[http]") {
  failpoint::http::options opts;
  opts.token = "s3cret";
  endpoint ep(opts);
  const auto none = call(ep.address, "GET", "/");
  CHECK(none.status == 401);
  CHECK(none.header("WWW-Authenticate").find("Bearer") == 0);
  CHECK(call(ep.address, "GET", "/", "", {{"Authorization", "Bearer wrong"}}).status == 401);
  CHECK(call(ep.address, "GET", "/", "", {{"Authorization", "Bearer s3cre"}}).status == 401);
  CHECK(call(ep.address, "GET", "/", "", {{"Authorization", "Bearer s3cret2"}}).status == 401);
  CHECK(call(ep.address, "GET", "/", "", {{"Authorization", "Basic s3cret"}}).status == 401);
  CHECK(call(ep.address, "PUT", "/http.plain", "return", {{"Authorization", "Bearer x"}}).status ==
        401);
  CHECK(failpoint::status("http.plain")->terms.empty());
  CHECK(call(ep.address, "GET", "/", "", {{"Authorization", "Bearer s3cret"}}).status == 200);
  CHECK(call(ep.address, "PUT", "/http.plain", "return", {{"Authorization", "Bearer s3cret"}})
            .status == 204);
}

TEST_CASE("non-loopback addresses are refused unless allowed and bad addresses are rejected",
          "[http]") {
  CHECK_THROWS_WITH(
      failpoint::http::start("0.0.0.0:0"),
      Catch::Contains("not a loopback address") && Catch::Contains("FAILPOINTS_HTTP_ALLOW_REMOTE"));
  CHECK(failpoint::http::address().empty());
  CHECK_THROWS_WITH(failpoint::http::start("127.0.0.1"), Catch::Contains("expected host:port"));
  CHECK_THROWS_WITH(failpoint::http::start("127.0.0.1:70000"), Catch::Contains("0 to 65535"));
  CHECK_THROWS_WITH(failpoint::http::start(":80"), Catch::Contains("empty host"));
  CHECK_THROWS_AS(failpoint::http::start("no-such-host.invalid:0"), std::runtime_error);
  {
    endpoint local;  // a port in use is reported
    CHECK_THROWS_WITH(failpoint::http::start(local.address), Catch::Contains("already runs"));
  }
  failpoint::http::options remote;
  remote.allow_remote = true;
  const std::string address = failpoint::http::start("0.0.0.0:0", remote);
  CHECK(address.rfind("0.0.0.0:", 0) == 0);
  const auto port = address.substr(address.find(':'));
  CHECK(call("127.0.0.1" + port, "GET", "/").status == 200);
  failpoint::http::stop();
  // localhost resolves to a loopback address.
  const std::string named = failpoint::http::start("localhost:0");
  CHECK(call(named, "GET", "/").status == 200);
  failpoint::http::stop();
}

TEST_CASE("the IPv6 loopback address is served", "[http]") {
  std::string address;
  try {
    address = failpoint::http::start("[::1]:0");
  } catch (const std::runtime_error& e) {
    WARN("no IPv6 loopback here: " << e.what());
    return;
  }
  CHECK(address.rfind("[::1]:", 0) == 0);
  CHECK(call(address, "GET", "/").status == 200);
  failpoint::http::stop();
  CHECK_THROWS_WITH(failpoint::http::start("[::]:0"), Catch::Contains("not a loopback address"));
}

TEST_CASE("the address file gets the bound host:port", "[http]") {
  failpoint::http::options opts;
  opts.address_file = fpt::temp_dir() + "/addr";
  endpoint ep(opts);
  CHECK(fpt::read_file(opts.address_file) == ep.address + "\n");
  failpoint::http::stop();
  opts.address_file = "/nonexistent-dir/addr";
  CHECK_THROWS_WITH(failpoint::http::start("127.0.0.1:0", opts), Catch::Contains("address file"));
}

TEST_CASE("GET /NAME/wait returns 200 once reached and 408 on timeout", "[http][wait]") {
  endpoint ep;
  failpoint::enable("http.wait", "return");
  // Already reached.
  sites::waited();
  auto res = call(ep.address, "GET", "/http.wait/wait?count=1&timeout_ms=1000");
  CHECK(res.status == 200);
  CHECK(res.body == "1");
  // Times out.
  const auto start = std::chrono::steady_clock::now();
  res = call(ep.address, "GET", "/http.wait/wait?count=5&timeout_ms=200");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(res.status == 408);
  CHECK(res.body.find("ran 1 of 5") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(190));
  CHECK(took < std::chrono::seconds(3));
  // Reached while waiting, without a timeout; other requests are served meanwhile.
  std::thread waiter([&] { res = call(ep.address, "GET", "/http.wait/wait?count=3"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 20; ++i) {
    CHECK(call(ep.address, "GET", "/http.wait/count", "", {}, std::chrono::seconds(2)).body == "1");
  }
  sites::waited();
  sites::waited();
  waiter.join();
  CHECK(res.status == 200);
  CHECK(res.body == "3");
}

TEST_CASE("GET /NAME/wait checks its parameters and the name", "[http][wait]") {
  endpoint ep;
  CHECK(call(ep.address, "GET", "/http.wait/wait").status == 400);
  CHECK(call(ep.address, "GET", "/http.wait/wait?count=x").status == 400);
  CHECK(call(ep.address, "GET", "/http.wait/wait?count=-1").status == 400);
  CHECK(call(ep.address, "GET", "/http.wait/wait?count=1&timeout_ms=soon").status == 400);
  const auto unknown = call(ep.address, "GET", "/http.wiat/wait?count=1&timeout_ms=10");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("http.wait") != std::string::npos);
  CHECK(call(ep.address, "GET", "/http.wait/wait?count=0&timeout_ms=10").status == 200);
}

TEST_CASE("many waits at once do not stop other clients and stop() ends pending waits",
          "[http][wait]") {
  auto ep = std::make_unique<endpoint>();
  const std::string address = ep->address;
  std::vector<std::thread> waiters;
  std::atomic<int> answered{0};
  for (int i = 0; i < 20; ++i) {  // more than the 16 waiter threads: the rest get 503
    waiters.emplace_back([&] {
      const auto res = call(address, "GET", "/http.wait/wait?count=1000");
      if (res.status == 503 || !res.error.empty())
        answered.fetch_add(1);
    });
  }
  // The 4 waits over the limit are answered 503 at once, the 16 others keep waiting.
  for (int i = 0; i < 250 && answered.load() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(answered.load() == 4);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(call(address, "GET", "/").status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(answered.load() == 4);
  const auto t1 = std::chrono::steady_clock::now();
  ep.reset();  // stop(): the waits end (connections closed) within a wait slice or so
  CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::seconds(2));
  for (auto& t : waiters)
    t.join();
  CHECK(answered.load() == 20);
}

TEST_CASE("a client that closes its connection during a wait frees the waiter", "[http][wait]") {
  endpoint ep;
  // Take every waiter thread with waits that have no time limit, then hang up.
  std::vector<int> fds;
  for (int i = 0; i < 16; ++i) {
    const int fd = fpt::connect_raw(ep.address);
    REQUIRE(fd >= 0);
    fpt::send_all(fd, "GET /http.wait/wait?count=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(call(ep.address, "GET", "/http.wait/wait?count=1000&timeout_ms=10").status == 503);
  for (int fd : fds)
    ::close(fd);
  // Each waiter notices within a wait slice; then a new wait runs (and times out: 408).
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 408; ++attempt) {
    status = call(ep.address, "GET", "/http.wait/wait?count=1000&timeout_ms=10").status;
    if (status != 408)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(status == 408);
}

TEST_CASE("a request pipelined behind a wait is answered after it", "[http][wait]") {
  endpoint ep;
  failpoint::enable("http.wait", "return");
  const int fd = fpt::connect_raw(ep.address);
  REQUIRE(fd >= 0);
  fpt::send_all(fd,
                "GET /http.wait/wait?count=1&timeout_ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /http.wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  sites::waited();
  bool closed = false;
  const std::string res = fpt::read_until_close(fd, std::chrono::seconds(5), &closed);
  CHECK(closed);
  const auto first = res.find("HTTP/1.1 200");
  REQUIRE(first != std::string::npos);
  CHECK(res.find("HTTP/1.1 200", first + 1) != std::string::npos);
  CHECK(res.find("\r\n\r\nreturn") != std::string::npos);
  ::close(fd);
}

TEST_CASE("curl can drive the endpoint", "[http][curl]") {
  if (::access("/usr/bin/curl", X_OK) != 0) {
    WARN("curl not installed; skipped");
    return;
  }
  endpoint ep;
  const std::string base = "http://" + ep.address;
  auto r = fpt::run("/usr/bin/curl",
                    {"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-d", "return(5)",
                     base + "/http.value"},
                    {}, std::chrono::seconds(10));
  CHECK(r.out == "204");
  CHECK(sites::value() == 5);
  r = fpt::run("/usr/bin/curl", {"-s", base + "/http.value"}, {}, std::chrono::seconds(10));
  CHECK(r.out == "return(5)\n");
  r = fpt::run("/usr/bin/curl", {"-s", base + "/http.value/count"}, {}, std::chrono::seconds(10));
  CHECK(r.out == "1");
  r = fpt::run("/usr/bin/curl", {"-s", base + "/"}, {}, std::chrono::seconds(10));
  CHECK(r.out.find("http.value=return(5)\n") != std::string::npos);
  // `curl -T` uploads with `Expect: 100-continue`: answered at once (curl would wait a second).
  const std::string spec = fpt::temp_dir() + "/spec";
  {
    std::ofstream out(spec);
    out << "http.plain=return;http.value=return(6)\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  r = fpt::run("/usr/bin/curl",
               {"-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", spec, base + "/failpoints"},
               {}, std::chrono::seconds(10));
  CHECK(r.out == "204");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(900));
  CHECK(sites::value() == 6);
}

TEST_CASE("Expect: 100-continue gets 100 Continue before the body is sent", "[http]") {
  endpoint ep;
  const int fd = fpt::connect_raw(ep.address);
  REQUIRE(fd >= 0);
  fpt::send_all(fd,
                "PUT /http.plain HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n"
                "Expect: 100-continue\r\n\r\n");
  CHECK(fpt::read_response(fd, std::chrono::seconds(5)).rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  fpt::send_all(fd, "return");
  CHECK(fpt::status_of(fpt::read_response(fd, std::chrono::seconds(5))) == 204);
  CHECK(sites::plain());
  ::close(fd);
}
