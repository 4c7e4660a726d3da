// test/http/gofail_compat_test.cpp: where the endpoint answers as gofail's does (GET /NAME is a
// line, the batch route in any case) and the documented differences it keeps on purpose (the
// README's "Differences from gofail's endpoint"; scripts/gofail-compare.sh runs both tools).
#include <string>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "sites.hpp"
#include "util.hpp"

namespace {

using fpt::call;
using fpt::endpoint;

// A failpoint whose name is the batch path in other letter case.
bool batch_named() {
  return static_cast<bool>(FAILPOINT("Failpoints"));
}

// A failpoint only the count test below touches (the count outlives a disable).
bool counted() {
  return static_cast<bool>(FAILPOINT("gofail.counted"));
}

}  // namespace

TEST_CASE("GET /NAME answers the terms as one line ending in a newline, as gofail does",
          "[http][gofail]") {
  endpoint ep;
  REQUIRE(call(ep.address, "PUT", "/http.value", "2*return(7)->off").status == 204);
  const auto res = call(ep.address, "GET", "/http.value");
  CHECK(res.status == 200);
  CHECK(res.body == "2*return(7)->off\n");
  REQUIRE(call(ep.address, "PUT", "/http.plain", "return").status == 204);
  CHECK(call(ep.address, "GET", "/http.plain").body == "return\n");
}

TEST_CASE("the batch routes are matched in any letter case, as gofail does", "[http][gofail]") {
  endpoint ep;
  CHECK(call(ep.address, "PUT", "/FAILPOINTS", "http.plain=return;http.value=return(9)").status ==
        204);
  CHECK(sites::plain());
  CHECK(sites::value() == 9);
  CHECK(call(ep.address, "DELETE", "/FailPoints").status == 204);
  CHECK_FALSE(sites::plain());
  CHECK(sites::value() == 0);
  const auto get = call(ep.address, "GET", "/Failpoints");
  CHECK(get.status == 405);
  CHECK(get.header("Allow") == "PUT, DELETE");
  // An all-or-nothing batch in any case: one bad entry applies nothing.
  CHECK(call(ep.address, "PUT", "/failPOINTS", "http.plain=return;http.value=retrun(1)").status ==
        400);
  CHECK_FALSE(sites::plain());
}

TEST_CASE("a failpoint named failpoints in any case cannot be controlled through /NAME",
          "[http][gofail]") {
  endpoint ep;
  // The body goes to the batch route, where "return" is not a name=terms entry.
  CHECK(call(ep.address, "PUT", "/Failpoints", "return").status == 400);
  CHECK_FALSE(batch_named());
  // The batch route and the C++ API still reach it.
  CHECK(call(ep.address, "PUT", "/failpoints", "Failpoints=return").status == 204);
  CHECK(batch_named());
  CHECK(failpoint::status("Failpoints")->terms == "return");
}

TEST_CASE("GET /NAME/count of a disabled failpoint is 200 with its last enablement's count",
          "[http][gofail]") {
  endpoint ep;
  CHECK(call(ep.address, "GET", "/gofail.counted/count").body == "0");  // never enabled
  REQUIRE(call(ep.address, "PUT", "/gofail.counted", "return").status == 204);
  CHECK(counted());
  CHECK(counted());
  REQUIRE(call(ep.address, "DELETE", "/gofail.counted").status == 204);
  const auto res = call(ep.address, "GET", "/gofail.counted/count");
  CHECK(res.status == 200);
  CHECK(res.body == "2");
}

TEST_CASE("DELETE of a disabled failpoint is 204 and an unknown name is 404", "[http][gofail]") {
  endpoint ep;
  CHECK(call(ep.address, "DELETE", "/http.plain").status == 204);
  CHECK(call(ep.address, "DELETE", "/http.plain").status == 204);
  CHECK(call(ep.address, "DELETE", "/http.nope").status == 404);
  CHECK(call(ep.address, "PUT", "/http.nope", "return").status == 404);
}
