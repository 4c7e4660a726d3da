// The services example (the Filibuster tutorial): foo -> bar -> baz on loopback, each a real
// process started by the test, with failpoints at every outgoing call switched over HTTP.
// The functional test: "foo bar baz" when no fault is injected, a 503 from foo when one is.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "child_process.hpp"
#include "files.hpp"
#include "http_call.hpp"

using namespace failpoint_test;

namespace {

// One running service: its program's port and its control endpoint's address.
struct service {
  std::unique_ptr<background> process;
  std::string port;
  std::string control;
};

std::string first_line(const std::string& path) {
  std::string text = read_file(path);
  return text.substr(0, text.find('\n'));
}

// foo -> bar -> baz, started in order (each needs its callee's port), stopped at destruction.
// bar's time limit for baz is short, foo's for bar long, so that a slow baz makes bar time out.
class chain {
 public:
  explicit chain(const std::string& foo_program) {
    baz_ = start("baz", SERVICES_BAZ, "");
    bar_ = start("bar", SERVICES_BAR, baz_.port, "300");
    foo_ = start("foo", foo_program, bar_.port, "5000");
  }

  // The functional test's request.
  failpoint::ctl::response call() {
    return failpoint_test::call("127.0.0.1:" + foo_.port, "GET", "/foo/bar/baz");
  }

  // Sets `terms` on failpoint `name` in the service its prefix names.
  void enable(const std::string& name, const std::string& terms) {
    REQUIRE(failpoint_test::call(owner(name).control, "PUT", "/" + name, terms).status == 204);
  }
  void disable_all() {
    for (service* s : {&foo_, &bar_, &baz_})
      REQUIRE(failpoint_test::call(s->control, "DELETE", "/failpoints").status == 204);
  }
  // Stops bar for real: foo's next call is refused by the system, not by a failpoint.
  void stop_bar() { bar_.process->stop(); }

 private:
  service start(const std::string& name, const std::string& program, const std::string& upstream,
                const std::string& timeout_ms = "1000") {
    service s;
    const std::string port_file = dir_ + "/" + name + ".port";
    const std::string addr_file = dir_ + "/" + name + ".control";
    std::vector<std::string> argv = {program, "--port-file", port_file, "--timeout-ms", timeout_ms};
    if (!upstream.empty()) {
      argv.push_back("--upstream");
      argv.push_back(upstream);
    }
    s.process = std::make_unique<background>(
        argv,
        std::map<std::string, std::string>{{"FAILPOINTS_HTTP", "127.0.0.1:0"},
                                           {"FAILPOINTS_HTTP_ADDR_FILE", addr_file}},
        dir_ + "/" + name + ".out");
    const bool started = eventually(
        [&] { return !first_line(port_file).empty() && !first_line(addr_file).empty(); });
    if (!started)
      FAIL(name << " did not start; it printed: " << s.process->output());
    s.port = first_line(port_file);
    s.control = first_line(addr_file);
    return s;
  }

  service& owner(const std::string& failpoint) {
    if (failpoint.rfind("foo.", 0) == 0)
      return foo_;
    if (failpoint.rfind("bar.", 0) == 0)
      return bar_;
    return baz_;
  }

  const std::string dir_ = temp_dir();
  service baz_, bar_, foo_;
};

// A fault the functional test injects: a failpoint and its terms.
struct fault {
  const char* failpoint;
  const char* terms;
  int busy_ms = 0;  // how long the fault keeps its service busy after the call (one at a time)
};

const fault faults[] = {
    {"foo.CallBar", "return(\"refused\")"},  // bar cannot be reached
    {"foo.CallBar", "return(\"timeout\")"},  // bar does not answer in time
    {"foo.CallBar", "return(\"503\")"},      // bar answers 503
    {"bar.CallBaz", "return(\"refused\")"},
    {"bar.CallBaz", "return(\"timeout\")"},
    {"bar.CallBaz", "return(\"503\")"},
    {"baz.Unavailable", "return"},           // baz itself answers 503
    {"baz.Unavailable", "sleep(800)", 800},  // baz is slow: bar's real 300 ms limit runs out
};

// The functional test of the tutorial: 200 "foo bar baz" without a fault, 503 with one.
void check_functional(chain& services, bool fault_injected) {
  const failpoint::ctl::response r = services.call();
  INFO("foo answered " << r.status << " " << r.body << r.error);
  if (fault_injected) {
    CHECK(r.status == 503);
  } else {
    CHECK(r.status == 200);
    CHECK(r.body == "foo bar baz");
  }
}

}  // namespace

TEST_CASE("services: foo bar baz when no failpoint fires", "[examples][services]") {
  for (const char* foo : {SERVICES_FOO, SERVICES_FOO_FIXED}) {
    chain services(foo);
    check_functional(services, false);
  }
}

TEST_CASE("services: the fixed foo passes the functional test under every fault",
          "[examples][services]") {
  chain services(SERVICES_FOO_FIXED);
  for (const fault& f : faults) {
    INFO(f.failpoint << "=" << f.terms);
    services.enable(f.failpoint, f.terms);
    check_functional(services, true);
    services.disable_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(f.busy_ms));
    check_functional(services, false);
  }
}

TEST_CASE("services: the buggy foo fails the functional test when bar cannot be reached",
          "[examples][services]") {
  chain services(SERVICES_FOO);
  // It handles every fault but one...
  for (const fault& f : faults) {
    if (std::string(f.failpoint) == "foo.CallBar" && std::string(f.terms) == "return(\"refused\")")
      continue;
    INFO(f.failpoint << "=" << f.terms);
    services.enable(f.failpoint, f.terms);
    check_functional(services, true);
    services.disable_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(f.busy_ms));
  }
  // ...and on bar's connection error the exception escapes: a 500, not the expected 503.
  services.enable("foo.CallBar", "return(\"refused\")");
  const failpoint::ctl::response r = services.call();
  CHECK(r.status == 500);
  CHECK_THAT(r.body, Catch::Contains("connection refused"));
}

TEST_CASE("services: a real connection error (bar stopped) shows the same bug and the same fix",
          "[examples][services]") {
  {
    chain services(SERVICES_FOO);
    services.stop_bar();
    CHECK(services.call().status == 500);
  }
  {
    chain services(SERVICES_FOO_FIXED);
    services.stop_bar();
    check_functional(services, true);
  }
}
