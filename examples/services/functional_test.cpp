// examples/services/functional_test.cpp: the tutorial's functional test as a program, the
// command failpoint-explore runs (README.md, "Exploring faults"):
//   services_functional_test FOO BAR BAZ     (the three programs)
// It starts baz, bar and foo on loopback in a directory under $TMPDIR, sends GET /foo/bar/baz
// and checks the answer: "foo bar baz" when no fault was injected anywhere, a 503 when one was.
// failpoint::was_injected() knows about faults that fired inside the services (other processes)
// from the trace that failpoint-explore asks every process for (FAILPOINTS_TRACE).
// Exit status 0 when the check holds, 1 when it does not.
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "failpoint/explore.hpp"
#include "service.hpp"

extern char** environ;

namespace {

// How long a service may take to start listening.
constexpr std::chrono::seconds start_limit{10};

struct running {
  pid_t pid = -1;
  unsigned short port = 0;
};

std::vector<running> started;

void stop_all() {
  for (const running& r : started)
    ::kill(r.pid, SIGTERM);
  for (const running& r : started)
    ::waitpid(r.pid, nullptr, 0);
}

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "functional test: %s\n", message.c_str());
  stop_all();
  std::exit(1);
}

// Starts `program` (its environment is ours: FAILPOINTS and FAILPOINTS_TRACE reach it) and
// waits for the port it writes.
running start(const std::string& dir, const std::string& name, const std::string& program,
              unsigned short upstream) {
  const std::string port_file = dir + "/" + name + ".port";
  std::vector<std::string> args = {program, "--port-file", port_file};
  if (upstream != 0) {
    args.push_back("--upstream");
    args.push_back(std::to_string(upstream));
  }
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  running r;
  if (::posix_spawn(&r.pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    fail("cannot start " + program);
  started.push_back(r);
  const auto deadline = std::chrono::steady_clock::now() + start_limit;
  unsigned port = 0;
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    std::ifstream(port_file) >> port;
    if (port == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (port == 0)
    fail(name + " did not start");
  r.port = static_cast<unsigned short>(port);
  started.back() = r;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FOO BAR BAZ\n", argv[0]);
    return 2;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/services-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr)
    fail("cannot create a directory under $TMPDIR");
  const running baz = start(dir, "baz", argv[3], 0);
  const running bar = start(dir, "bar", argv[2], baz.port);
  const running foo = start(dir, "foo", argv[1], bar.port);

  services::response r;
  try {
    r = services::get(foo.port, "/foo/bar/baz", std::chrono::seconds(10));
  } catch (const std::exception& e) {
    fail(std::string("no answer from foo: ") + e.what());
  }
  // The oracle: was a fault injected anywhere in this run (in foo, bar or baz)?
  const bool faulty = failpoint::was_injected();
  std::printf("foo answered %d %s(fault injected: %s)\n", r.status, r.body.c_str(),
              faulty ? "yes" : "no");
  if (faulty && r.status != 503)
    fail("Assertion failed: a fault was injected, so foo must answer 503, not " +
         std::to_string(r.status) + " " + r.body);
  if (!faulty && (r.status != 200 || r.body != "foo bar baz"))
    fail("Assertion failed: no fault was injected, so foo must answer 200 \"foo bar baz\"");
  stop_all();
  return 0;
}
