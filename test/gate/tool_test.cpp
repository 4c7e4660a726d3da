// failpoint-gate, the program: bad arguments exit 2 with the reason; FAILPOINTS applies at start
// and the HTTP endpoint switches the gate's failpoints while it runs.
#include <signal.h>

#include <sstream>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "files.hpp"
#include "http_call.hpp"
#include "net.hpp"

using namespace gate_test;
using std::chrono::milliseconds;

namespace {
const std::string k_gate = FAILPOINT_GATE_PROGRAM;

failpoint_test::child_result run_gate(std::vector<std::string> args) {
  args.insert(args.begin(), k_gate);
  return failpoint_test::run_program(args, {}, std::chrono::seconds(20));
}

using failpoint_test::call;
}  // namespace

TEST_CASE("failpoint-gate refuses bad arguments with exit status 2 and the reason",
          "[gate][tool]") {
  server up(echo);
  server busy(echo);  // a port already in use
  struct bad_case {
    std::vector<std::string> args;
    std::string reason;
  };
  const std::vector<bad_case> cases = {
      {{}, "nothing to do"},
      {{"--upstream", "localhost"}, "bad upstream address \"localhost\": no port"},
      {{"--upstream", "127.0.0.1:70000"}, "the port must be a number"},
      {{"--upstream", "no-such-host.invalid:5432"}, "cannot resolve"},
      {{"--upstream", up.address(), "--listen", "127.0.0.1"}, "bad listen address"},
      {{"--upstream", up.address(), "--listen", busy.address()}, "cannot listen on"},
      {{"--upstream", up.address(), "--name", "a.b"}, "bad gate name \"a.b\""},
      {{"--listen", "127.0.0.1:0"}, "--listen and --name need --upstream"},
      {{"--route", "db"}, "bad --route \"db\": expected NAME=LISTEN,UPSTREAM"},
      {{"--route", "a=127.0.0.1:0," + up.address(), "--route", "a=127.0.0.1:0," + up.address()},
       "already running"},
      {{"--bogus"}, "--bogus"},
  };
  for (const auto& c : cases) {
    INFO(c.reason);
    auto r = run_gate(c.args);
    CHECK(r.exited);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(c.reason));
  }
}

TEST_CASE("failpoint-gate applies FAILPOINTS at start and takes changes over HTTP",
          "[gate][tool]") {
  server up(echo);
  const std::string dir = failpoint_test::temp_dir();
  failpoint_test::background gate(
      {k_gate, "--route", "db=127.0.0.1:0," + up.address(), "--route",
       "cache=127.0.0.1:0," + up.address(), "--address-file", dir + "/gates"},
      {{"FAILPOINTS", "gate.db.to_client.substitute=return(\"ping->pong\")"},
       {"FAILPOINTS_HTTP", "127.0.0.1:0"},
       {"FAILPOINTS_HTTP_ADDR_FILE", dir + "/http"}},
      dir + "/log");
  const std::string gates = failpoint_test::wait_for_file(dir + "/gates", milliseconds(20000));
  const std::string http = failpoint_test::wait_for_file(dir + "/http", milliseconds(20000));
  REQUIRE(!http.empty());
  std::istringstream lines(gates);
  std::string name, db, cache;
  lines >> name >> db;
  REQUIRE(name == "db");
  lines >> name >> cache;
  REQUIRE(name == "cache");

  auto c = connect_to(db);
  REQUIRE(c.send_all("ping"));
  CHECK(c.recv_exact(4) == "pong");  // FAILPOINTS, applied when the gate made its failpoints
  auto other = connect_to(cache);
  REQUIRE(other.send_all("ping"));
  CHECK(other.recv_exact(4) == "ping");  // the other gate has its own failpoints

  CHECK(call(http, "DELETE", "/gate.db.to_client.substitute").status == 204);
  REQUIRE(c.send_all("ping"));
  CHECK(c.recv_exact(4) == "ping");
  const auto listing = call(http, "GET", "/");
  CHECK_THAT(listing.body, Catch::Contains("gate.cache.to_server.no_read="));
  CHECK(call(http, "PUT", "/gate.db.to_server.close_on_data", "1*return").status == 204);
  REQUIRE(c.send_all("ping"));
  CHECK(c.closed_within(milliseconds(10000)));
  CHECK(call(http, "GET", "/gate.db.to_server.close_on_data/count").body == "1");

  const auto end = gate.stop();  // SIGTERM
  CHECK(end.exited);
  CHECK(end.code == 0);
}
