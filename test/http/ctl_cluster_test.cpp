// test/http/ctl_cluster_test.cpp: failpointctl reaching a cluster: several processes on loopback
// addresses (127.0.0.2, .3, .4) behind one name, found through `dns:NAME:PORT` with a hosts file
// of the test's own (never the machine's /etc/hosts), and through an endpoints file.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "util.hpp"

namespace {

using namespace std::chrono_literals;
using Catch::Contains;

const std::string k_ctl = FAILPOINTCTL;

fpt::run_result ctl(std::vector<std::string> args) {
  return fpt::run(k_ctl, args, {}, 30s);
}

// test/http/child.cpp serving on `address` ("127.0.0.3:PORT"); finished at the end.
struct replica {
  replica(const std::string& address, const std::string& dir) {
    proc = fpt::spawn(FAILPOINT_HTTP_CHILD, {"serve"},
                      {"FAILPOINTS_HTTP=" + address,
                       "FAILPOINTS_HTTP_ADDR_FILE=" + dir + "/" + address + ".addr"},
                      dir);
    bound = fpt::wait_for_file(dir + "/" + address + ".addr", 10s);
  }
  ~replica() {
    fpt::close_stdin(proc);
    fpt::wait_exit(proc, 5s);
  }
  replica(const replica&) = delete;
  replica& operator=(const replica&) = delete;
  fpt::process proc;
  std::string bound;  // empty when it did not start (the port was taken on that address)
};

// Three replicas on one port of 127.0.0.2, .3 and .4, as a headless service's pods are on one
// port of several addresses; the port is tried again when one address has it taken.
struct cluster {
  cluster() {
    dir = fpt::temp_dir();
    for (int attempt = 0; attempt < 5 && replicas.size() < 3; ++attempt) {
      const std::string free = fpt::closed_address();
      port = free.substr(free.rfind(':') + 1);
      replicas.clear();
      for (const char* host : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
        auto r = std::make_unique<replica>(std::string(host) + ":" + port, dir);
        if (r->bound.empty())
          break;
        replicas.push_back(std::move(r));
      }
    }
    REQUIRE(replicas.size() == 3);
    hosts = dir + "/hosts";
    fpt::write_file(hosts,
                    "# the cluster under test, as a headless service resolves\n"
                    "127.0.0.2   pods.test.svc pods\n"
                    "127.0.0.3   pods.test.svc\n"
                    "127.0.0.4   pods.test.svc  # the third pod\n"
                    "::1         ipv6.test.svc\n"
                    "127.0.0.9   other.test.svc\n");
  }
  std::string dir;
  std::string port;
  std::string hosts;
  std::vector<std::unique_ptr<replica>> replicas;
};

}  // namespace

TEST_CASE("failpointctl reaches every address of a dns: name", "[http][ctl][cluster]") {
  cluster c;
  const std::string name = "dns:pods.test.svc:" + c.port;

  auto r = ctl({"--hosts-file", c.hosts, "-e", name, "--json", "set", "child/value", "return(1)"});
  INFO(r.out << r.err);
  CHECK(r.exit_code() == 0);
  auto json = nlohmann::json::parse(r.out);
  REQUIRE(json.size() == 3);
  CHECK(json[0]["endpoint"] == "127.0.0.2:" + c.port);
  CHECK(json[1]["endpoint"] == "127.0.0.3:" + c.port);
  CHECK(json[2]["endpoint"] == "127.0.0.4:" + c.port);
  for (const auto& replica : c.replicas)
    CHECK(fpt::call(replica->bound, "GET", "/child/value").body == "return(1)\n");

  // Every replica ran it (each child hits its failpoints in a loop), waited for in parallel.
  r = ctl({"--hosts-file", c.hosts, "-e", name, "wait", "child/value", "2", "--timeout", "10000"});
  CHECK(r.exit_code() == 0);
  CHECK(fpt::count_lines_starting_with(r.out, "127.0.0.") == 3);

  r = ctl({"--hosts-file", c.hosts, "-e", name, "reset"});
  CHECK(r.exit_code() == 0);
  for (const auto& replica : c.replicas)
    CHECK(fpt::call(replica->bound, "GET", "/child/value").status == 404);
}

TEST_CASE("failpointctl reads endpoints from a file, one per line", "[http][ctl][cluster]") {
  cluster c;
  const std::string file = c.dir + "/endpoints";
  fpt::write_file(file, "# staging\n\n127.0.0.2:" + c.port + "\n  dns:pods.test.svc:" + c.port +
                            "   # all of them; 127.0.0.2 again is dropped\n");
  auto r = ctl({"--hosts-file", c.hosts, "--endpoints-file", file, "set", "child/hit", "return"});
  INFO(r.out << r.err);
  CHECK(r.exit_code() == 0);
  CHECK(fpt::count_lines_starting_with(r.out, "127.0.0.") == 3);
  CHECK(fpt::count_lines_starting_with(r.out, "127.0.0.2:" + c.port + "  ok") == 1);
  for (const auto& replica : c.replicas)
    CHECK(fpt::call(replica->bound, "GET", "/child/hit").body == "return\n");
}

TEST_CASE("failpointctl resolves dns: names with the system resolver without a hosts file",
          "[http][ctl][cluster]") {
  // A numeric name resolves through getaddrinfo without reading any hosts file.
  fpt::child a("serve");
  REQUIRE(!a.address.empty());
  const std::string port = a.address.substr(a.address.rfind(':') + 1);
  auto r = ctl({"-e", "dns:127.0.0.1:" + port, "set", "child/value", "return(7)"});
  INFO(r.out << r.err);
  CHECK(r.exit_code() == 0);
  CHECK_THAT(r.out, Contains("127.0.0.1:" + port + "  ok"));
  CHECK(fpt::call(a.address, "GET", "/child/value").body == "return(7)\n");
}

TEST_CASE("failpointctl names what is wrong with a dns: name or an endpoints file",
          "[http][ctl][cluster]") {
  const std::string dir = fpt::temp_dir();
  const std::string hosts = dir + "/hosts";
  fpt::write_file(hosts, "127.0.0.2 pods.test.svc\n");

  auto r = ctl({"--hosts-file", hosts, "-e", "dns:missing.test.svc:4000", "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains("\"dns:missing.test.svc:4000\": missing.test.svc has no address in " +
                             hosts));

  r = ctl({"--hosts-file", hosts, "-e", "dns:pods.test.svc", "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains("expected dns:NAME:PORT with a port number"));

  const std::string file = dir + "/endpoints";
  fpt::write_file(file, "127.0.0.2:4000\n# next: no port\ndns:pods.test.svc:http\n");
  r = ctl({"--hosts-file", hosts, "--endpoints-file", file, "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains(file + ":3: \"dns:pods.test.svc:http\": expected dns:NAME:PORT"));

  r = ctl({"--endpoints-file", dir + "/none", "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains("cannot read the endpoints file " + dir + "/none"));

  fpt::write_file(hosts, "127.0.0.2 pods.test.svc\nlocalhost pods.test.svc\n");
  r = ctl({"--hosts-file", hosts, "-e", "dns:pods.test.svc:4000", "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains(hosts + ":2: \"localhost\" is not an IP address"));

  r = ctl({"--hosts-file", dir + "/nohosts", "-e", "dns:pods.test.svc:4000", "list"});
  CHECK(r.exit_code() == 2);
  CHECK_THAT(r.err, Contains("cannot read the hosts file " + dir + "/nohosts"));
}
