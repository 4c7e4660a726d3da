// examples/services/functional_test.cpp: the tutorial's functional test as a program, the
// command failpoint-explore runs (README.md, "Exploring faults"):
//   services_functional_test FOO BAR BAZ [GATE]   (the three programs, and failpoint-gate)
// It starts baz, bar and foo on loopback in a directory under $TMPDIR, sends GET /foo/bar/baz
// With GATE, bar calls baz through `GATE --name bb`, a TCP gate whose network faults are the
// failpoints gate.bb.* (docs/gate.md): the explorer reaches them like the services' own.
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

// Starts `args` (its environment is ours: FAILPOINTS and FAILPOINTS_TRACE reach it) and waits
// for the port it writes to `port_file`: the file's last word, after a ':' if there is one (a
// service writes "PORT", failpoint-gate's --address-file "NAME 127.0.0.1:PORT").
running start(const std::string& name, std::vector<std::string> args,
              const std::string& port_file) {
  const std::string& program = args.front();
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
    std::string word, last;
    for (std::ifstream in(port_file); in >> word;)
      last = word;
    port = static_cast<unsigned>(std::atoi(last.c_str() + last.find(':') + 1));
    if (port == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (port == 0)
    fail(name + " did not start");
  r.port = static_cast<unsigned short>(port);
  started.back() = r;
  return r;
}

// Starts the service `name` (baz, bar or foo) calling `upstream` (0: none).
running start_service(const std::string& dir, const std::string& name, const std::string& program,
                      unsigned short upstream) {
  const std::string port_file = dir + "/" + name + ".port";
  std::vector<std::string> args = {program, "--port-file", port_file};
  if (upstream != 0) {
    args.push_back("--upstream");
    args.push_back(std::to_string(upstream));
  }
  return start(name, args, port_file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s FOO BAR BAZ [GATE]\n", argv[0]);
    return 2;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/services-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr)
    fail("cannot create a directory under $TMPDIR");
  const running baz = start_service(dir, "baz", argv[3], 0);
  unsigned short bar_upstream = baz.port;
  if (argc == 5) {
    const std::string address_file = dir + "/gate.address";
    bar_upstream = start("gate",
                         {argv[4], "--name", "bb", "--upstream",
                          "127.0.0.1:" + std::to_string(baz.port), "--address-file", address_file},
                         address_file)
                       .port;
  }
  const running bar = start_service(dir, "bar", argv[2], bar_upstream);
  const running foo = start_service(dir, "foo", argv[1], bar.port);

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
