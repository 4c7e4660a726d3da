// test/http/page_test.cpp: the endpoint's page over real HTTP: who gets it, with which headers,
// and the Origin check that keeps other sites' pages from using the endpoint. The page's
// behaviour in a browser is test/browser/page_test.mjs's.
#include <string>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "sites.hpp"
#include "util.hpp"

namespace {

using Catch::Contains;
using Catch::StartsWith;

const std::pair<std::string, std::string> k_browser_accept{
    "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"};

}  // namespace

TEST_CASE("GET / asking for HTML serves the self-contained page", "[http][page]") {
  fpt::endpoint ep;
  auto r = fpt::call(ep.address, "GET", "/", "", {k_browser_accept});
  CHECK(r.status == 200);
  CHECK_THAT(r.header("Content-Type"), StartsWith("text/html"));
  CHECK_THAT(r.body, Contains("<title>failpoints</title>") && Contains("fetch(\"/?format=json\""));
  // Nothing from elsewhere: no src or href to another place, and the policy forbids it anyway.
  CHECK_THAT(r.body, !Contains("src=\"http") && !Contains("href=\"http"));
  CHECK_THAT(r.header("Content-Security-Policy"), Contains("default-src 'none'") &&
                                                      Contains("connect-src 'self'") &&
                                                      Contains("frame-ancestors 'none'"));
  CHECK(r.header("Access-Control-Allow-Origin").empty());
  CHECK(r.header("Cache-Control") == "no-store");

  // curl's */* and JSON clients still get the listings.
  r = fpt::call(ep.address, "GET", "/", "", {{"Accept", "*/*"}});
  CHECK_THAT(r.header("Content-Type"), StartsWith("text/plain"));
  CHECK_THAT(r.body, Contains("http.plain="));
  r = fpt::call(ep.address, "GET", "/?format=json", "", {k_browser_accept});
  CHECK_THAT(r.header("Content-Type"), StartsWith("application/json"));
}

TEST_CASE("the token applies to the page, as Bearer or as a browser's Basic credentials",
          "[http][page]") {
  failpoint::http::options opts;
  opts.token = "s3cret";
  fpt::endpoint ep(opts);
  auto r = fpt::call(ep.address, "GET", "/", "", {k_browser_accept});
  CHECK(r.status == 401);
  CHECK_THAT(r.body, !Contains("<title>"));
  bool basic = false;
  for (const auto& [key, value] : r.headers) {
    if (key == "WWW-Authenticate" && value.rfind("Basic ", 0) == 0)
      basic = true;
  }
  CHECK(basic);  // the browser asks for the token (as the password)

  // "failpoint:s3cret" and "anyone:wrong" in base64.
  r = fpt::call(ep.address, "GET", "/", "",
                {k_browser_accept, {"Authorization", "Basic ZmFpbHBvaW50OnMzY3JldA=="}});
  CHECK(r.status == 200);
  CHECK_THAT(r.body, Contains("<title>failpoints</title>"));
  r = fpt::call(ep.address, "GET", "/", "",
                {k_browser_accept, {"Authorization", "Basic YW55b25lOndyb25n"}});
  CHECK(r.status == 401);
  r = fpt::call(ep.address, "GET", "/", "",
                {k_browser_accept, {"Authorization", "Basic not base64!"}});
  CHECK(r.status == 401);
  r = fpt::call(ep.address, "GET", "/", "", {k_browser_accept, {"Authorization", "Bearer s3cret"}});
  CHECK(r.status == 200);
  // The page's own calls carry the same credentials.
  r = fpt::call(ep.address, "PUT", "/http.plain", "return",
                {{"Authorization", "Basic ZmFpbHBvaW50OnMzY3JldA=="}});
  CHECK(r.status == 204);
}

TEST_CASE("requests from another origin are refused", "[http][page]") {
  fpt::endpoint ep;
  const std::string self = "http://" + ep.address;

  auto r =
      fpt::call(ep.address, "PUT", "/http.plain", "return", {{"Origin", "http://evil.example"}});
  CHECK(r.status == 403);
  CHECK_THAT(r.body, Contains("http://evil.example"));
  CHECK(r.header("Access-Control-Allow-Origin").empty());
  CHECK(failpoint::status("http.plain")->terms.empty());

  for (const std::string& origin :
       {std::string("null"), "https://" + ep.address, self + ".evil.example"}) {
    r = fpt::call(ep.address, "GET", "/?format=json", "", {{"Origin", origin}});
    CHECK(r.status == 403);
    r = fpt::call(ep.address, "DELETE", "/failpoints", "", {{"Origin", origin}});
    CHECK(r.status == 403);
  }

  // A name pointed at the endpoint's address (DNS rebinding): its own origin, still refused.
  const std::string port = ep.address.substr(ep.address.rfind(':') + 1);
  r = fpt::call(
      ep.address, "PUT", "/http.plain", "return",
      {{"Origin", "http://rebound.example:" + port}, {"Host", "rebound.example:" + port}});
  CHECK(r.status == 403);
  CHECK(failpoint::status("http.plain")->terms.empty());

  // A browser's navigation through such a name (no Origin, but Sec-Fetch-Site): refused too.
  r = fpt::call(
      ep.address, "GET", "/", "",
      {k_browser_accept, {"Sec-Fetch-Site", "none"}, {"Host", "rebound.example:" + port}});
  CHECK(r.status == 403);
  CHECK_THAT(r.body, !Contains("<title>"));
  r = fpt::call(ep.address, "GET", "/", "", {k_browser_accept, {"Sec-Fetch-Site", "none"}});
  CHECK(r.status == 200);
  // curl through a name (no Origin, no Sec-Fetch-Site) is no browser: served.
  r = fpt::call(ep.address, "GET", "/", "", {{"Host", "rebound.example:" + port}});
  CHECK(r.status == 200);

  // The page itself (its origin is the endpoint), and localhost, may.
  r = fpt::call(ep.address, "PUT", "/http.plain", "return", {{"Origin", self}});
  CHECK(r.status == 204);
  CHECK(failpoint::status("http.plain")->terms == "return");
  r = fpt::call(ep.address, "DELETE", "/http.plain", "",
                {{"Origin", "http://localhost:" + port}, {"Host", "localhost:" + port}});
  CHECK(r.status == 204);
  CHECK(failpoint::status("http.plain")->terms.empty());
}
