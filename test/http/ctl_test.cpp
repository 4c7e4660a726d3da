// test/http/ctl_test.cpp: failpointctl against two child processes (a small cluster).
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "util.hpp"

namespace {

using namespace std::chrono_literals;

const std::string k_ctl = FAILPOINTCTL;

using fpt::child;

fpt::run_result ctl(std::vector<std::string> args, std::vector<std::string> env = {}) {
  return fpt::run(k_ctl, args, env, 30s);
}

}  // namespace

TEST_CASE("failpointctl drives two endpoints with set get count wait list unset apply and reset",
          "[http][ctl]") {
  child a("serve");
  child b("serve");
  REQUIRE(!a.address.empty());
  REQUIRE(!b.address.empty());
  const std::string both = a.address + "," + b.address;

  auto r = ctl({"--endpoint", both, "set", "child/value", "return(1)"});
  CHECK(r.exit_code() == 0);
  CHECK_THAT(r.out, Catch::Contains("ENDPOINT") && Catch::Contains("RESULT"));
  CHECK_THAT(r.out, Catch::Contains(a.address) && Catch::Contains(b.address));
  CHECK(r.err.empty());

  r = ctl({"--endpoint", both, "get", "child/value"});
  CHECK(r.exit_code() == 0);
  CHECK_THAT(r.out, Catch::Contains(a.address + "  return(1)"));
  CHECK_THAT(r.out, Catch::Contains(b.address + "  return(1)"));

  r = ctl({"--endpoint", both, "wait", "child/value", "3", "--timeout", "5000"});
  CHECK(r.exit_code() == 0);

  r = ctl({"-e", a.address, "-e", b.address, "--json", "count", "child/value"});
  CHECK(r.exit_code() == 0);
  auto json = nlohmann::json::parse(r.out);
  REQUIRE(json.size() == 2);
  CHECK(json[0]["endpoint"] == a.address);
  CHECK(json[0]["ok"] == true);
  CHECK(json[0]["count"].get<int>() >= 3);
  CHECK(json[1]["endpoint"] == b.address);

  r = ctl({"--endpoint", both, "--json", "list"});
  CHECK(r.exit_code() == 0);
  json = nlohmann::json::parse(r.out);
  REQUIRE(json.size() == 2);
  bool seen = false;
  for (const auto& fp : json[1]["failpoints"]) {
    if (fp["name"] == "child/value") {
      seen = true;
      CHECK(fp["terms"] == "return(1)");
      CHECK(fp["type"] == "int");
    }
  }
  CHECK(seen);

  r = ctl({"--endpoint", both, "list"});
  CHECK(r.exit_code() == 0);
  CHECK_THAT(r.out,
             Catch::Contains("NAME") && Catch::Contains("TERMS") && Catch::Contains("COUNT"));
  CHECK_THAT(r.out, Catch::Contains("child/never"));

  r = ctl({"--endpoint", both, "unset", "child/value"});
  CHECK(r.exit_code() == 0);
  CHECK(fpt::call(a.address, "GET", "/child/value").status == 404);

  r = ctl({"--endpoint", both, "apply", "child/hit=return;child/value=return(4)"});
  CHECK(r.exit_code() == 0);
  CHECK(fpt::call(b.address, "GET", "/child/value").body == "return(4)\n");
  CHECK(fpt::call(b.address, "GET", "/child/hit").body == "return\n");

  r = ctl({"--endpoint", both, "reset"});
  CHECK(r.exit_code() == 0);
  CHECK(fpt::call(a.address, "GET", "/child/hit").status == 404);

  // Blanks and http:// around an endpoint are fine.
  r = ctl({"--endpoint", "http://" + a.address + "/, " + b.address, "count", "child/hit"});
  CHECK(r.exit_code() == 0);
  CHECK_THAT(r.out, Catch::Contains(a.address) && Catch::Contains(b.address));

  // FAILPOINTS_HTTP is the default endpoint.
  r = ctl({"get", "child/never"}, {"FAILPOINTS_HTTP=" + a.address});
  CHECK(r.exit_code() == 1);  // disabled: 404
  CHECK_THAT(r.err, Catch::Contains("disabled"));
}

TEST_CASE("failpointctl fails when any endpoint fails and says why", "[http][ctl]") {
  child a("serve");
  REQUIRE(!a.address.empty());
  const std::string dead = fpt::closed_address();

  auto r = ctl({"--endpoint", a.address + "," + dead, "set", "child/hit", "return"});
  CHECK(r.exit_code() == 1);
  CHECK_THAT(r.out, Catch::Contains(a.address) && Catch::Contains("ok"));
  CHECK_THAT(r.err, Catch::Contains(dead) && Catch::Contains("connection refused"));
  CHECK(fpt::call(a.address, "GET", "/child/hit").body == "return\n");

  r = ctl({"--endpoint", a.address, "--json", "get", "child/hti"});
  CHECK(r.exit_code() == 1);
  const auto json = nlohmann::json::parse(r.out);
  CHECK(json[0]["ok"] == false);
  CHECK(json[0]["status"] == 404);
  CHECK_THAT(json[0]["error"].get<std::string>(), Catch::Contains("did you mean \"child/hit\""));

  r = ctl({"--endpoint", a.address, "set", "child/hit", "retrun"});
  CHECK(r.exit_code() == 1);
  CHECK_THAT(r.err, Catch::Contains("HTTP 400") && Catch::Contains("retrun"));

  r = ctl({"--endpoint", a.address, "wait", "child/never", "1", "--timeout", "100"});
  CHECK(r.exit_code() == 1);
  CHECK_THAT(r.err, Catch::Contains("HTTP 408"));

  r = ctl({"--endpoint", a.address, "apply", "child/hit=off;nope=return"});
  CHECK(r.exit_code() == 1);
  CHECK(fpt::call(a.address, "GET", "/child/hit").body == "return\n");  // nothing applied

  r = ctl({"list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Catch::Contains("no endpoint"));
  r = ctl({"--endpoint", a.address, "frobnicate"});
  CHECK(r.exit_code() == 2);
  r = ctl({"--endpoint", "nonsense", "list"});
  CHECK(r.exit_code() == 1);
  CHECK_THAT(r.err, Catch::Contains("expected host:port"));
}

TEST_CASE("failpointctl sends the token", "[http][ctl]") {
  child a("serve", {"FAILPOINTS_HTTP_TOKEN=t0k"});
  REQUIRE(!a.address.empty());
  auto r = ctl({"--endpoint", a.address, "list"});
  CHECK(r.exit_code() == 1);
  CHECK_THAT(r.err, Catch::Contains("HTTP 401"));
  r = ctl({"--endpoint", a.address, "--token", "t0k", "list"});
  CHECK(r.exit_code() == 0);
  r = ctl({"--endpoint", a.address, "list"}, {"FAILPOINTS_HTTP_TOKEN=t0k"});
  CHECK(r.exit_code() == 0);
}
