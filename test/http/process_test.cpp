// test/http/process_test.cpp: the endpoint in child processes: start from FAILPOINTS_HTTP, the
// address file, bad settings, exit with the endpoint running (a `panic` whose 204 arrives: see
// race_test.cpp).
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "util.hpp"

namespace {

using namespace std::chrono_literals;

const std::string k_child = FAILPOINT_HTTP_CHILD;

using fpt::child;

// Number of sockets the process `pid` has open.
int open_sockets(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    return -1;
  int sockets = 0;
  while (dirent* e = ::readdir(d)) {
    char target[256] = {};
    const std::string link = dir + "/" + e->d_name;
    if (::readlink(link.c_str(), target, sizeof target - 1) > 0 &&
        std::string(target).rfind("socket:", 0) == 0) {
      ++sockets;
    }
  }
  ::closedir(d);
  return sockets;
}

// The value of a field ("SigBlk:") in /proc/PID/task/TID/status of the thread named `name`.
std::string thread_status_field(pid_t pid, const std::string& name, const std::string& field) {
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(tasks.c_str());
  if (d == nullptr)
    return {};
  std::string value;
  while (dirent* e = ::readdir(d)) {
    const std::string dir = tasks + "/" + e->d_name;
    std::string comm = fpt::read_file(dir + "/comm");
    if (comm != name + "\n")
      continue;
    const std::string status = fpt::read_file(dir + "/status");
    const auto at = status.find(field);
    if (at != std::string::npos) {
      value = status.substr(at + field.size());
      value = value.substr(value.find_first_not_of(" \t"));
      value = value.substr(0, value.find('\n'));
    }
  }
  ::closedir(d);
  return value;
}

}  // namespace

TEST_CASE("the endpoint's threads block every signal so the host's threads get them",
          "[http][process]") {
  child c("serve");
  REQUIRE(!c.address.empty());
  std::thread waiter(
      [&] { fpt::call(c.address, "GET", "/child/never/wait?count=1&timeout_ms=1000"); });
  std::this_thread::sleep_for(200ms);
  // SigBlk is a hex mask; every standard and real-time signal the kernel lets block is set.
  const std::string io = thread_status_field(c.proc.pid, "failpoint-http", "SigBlk:");
  const std::string wait = thread_status_field(c.proc.pid, "failpoint-wait", "SigBlk:");
  waiter.join();
  REQUIRE(!io.empty());
  REQUIRE(!wait.empty());
  for (const std::string& mask_text : {io, wait}) {
    const unsigned long long mask = std::stoull(mask_text, nullptr, 16);
    for (int sig :
         {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD}) {
      INFO(mask_text << " signal " << sig);
      CHECK((mask >> (sig - 1) & 1) == 1);
    }
  }
}

TEST_CASE("FAILPOINTS_HTTP starts the endpoint before main and writes the address file",
          "[http][process]") {
  child c("serve");
  REQUIRE(c.address.rfind("127.0.0.1:", 0) == 0);
  const auto list = fpt::call(c.address, "GET", "/");
  CHECK(list.status == 200);
  CHECK(list.body.find("child/hit=\n") != std::string::npos);
  CHECK(list.body.find("child/never=\n") != std::string::npos);
  CHECK(fpt::call(c.address, "PUT", "/child/value", "return(2)").status == 204);
  const auto waited = fpt::call(c.address, "GET", "/child/value/wait?count=10&timeout_ms=5000");
  CHECK(waited.status == 200);
  fpt::close_stdin(c.proc);
  const auto status = fpt::wait_exit(c.proc, 5s);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(fpt::read_file(c.proc.out_path).empty());  // never writes to stdout
  // The runtime knows the endpoint serves FAILPOINTS_HTTP: no "nothing serves it" complaint.
  CHECK(fpt::read_file(c.proc.err_path).find("FAILPOINTS_HTTP") == std::string::npos);
}

TEST_CASE(
    "a program linked without keep_linked.cpp still starts the endpoint from the "
    "environment",
    "[http][process]") {
  child c("serve", {}, FAILPOINT_HTTP_CHILD_PLAIN);
  REQUIRE(!c.address.empty());
  CHECK(fpt::call(c.address, "PUT", "/child/hit", "return").status == 204);
  CHECK(fpt::call(c.address, "GET", "/child/hit/wait?count=1&timeout_ms=5000").status == 200);
  fpt::close_stdin(c.proc);
  const auto status = fpt::wait_exit(c.proc, 5s);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
}

TEST_CASE("without FAILPOINTS_HTTP a program opens no socket", "[http][process]") {
  const std::string dir = fpt::temp_dir();
  fpt::process p = fpt::spawn(k_child, {"serve"}, {}, dir);
  std::this_thread::sleep_for(200ms);
  CHECK(open_sockets(p.pid) == 0);
  fpt::close_stdin(p);
  const auto status = fpt::wait_exit(p, 5s);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
}

TEST_CASE(
    "a process exits promptly with the endpoint running and clients connected and a wait "
    "pending",
    "[http][process]") {
  child c("serve");
  REQUIRE(!c.address.empty());
  // An idle kept-alive connection and a wait that would never finish.
  const int idle = fpt::connect_raw(c.address);
  REQUIRE(idle >= 0);
  std::thread waiter(
      [&] { fpt::call(c.address, "GET", "/child/never/wait?count=1", "", {}, 10s); });
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  fpt::close_stdin(c.proc);
  const auto status = fpt::wait_exit(c.proc, 5s);
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(took < 2s);
  waiter.join();
  ::close(idle);

  // Returning from main at once, right after the endpoint started.
  for (int i = 0; i < 5; ++i) {
    const std::string dir = fpt::temp_dir();
    auto r = fpt::run(k_child, {"exit"}, {"FAILPOINTS_HTTP=127.0.0.1:0"}, 5s);
    CHECK(r.exit_code() == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("a bad FAILPOINTS_HTTP setting ends the process with status 1 and a clear message",
          "[http][process]") {
  struct row {
    std::vector<std::string> env;
    const char* message;
  };
  for (const row& r :
       {row{{"FAILPOINTS_HTTP=nonsense"}, "expected host:port"},
        row{{"FAILPOINTS_HTTP=127.0.0.1:99999"}, "0 to 65535"},
        row{{"FAILPOINTS_HTTP=0.0.0.0:0"}, "not a loopback address"},
        row{{"FAILPOINTS_HTTP=127.0.0.1:0", "FAILPOINTS_HTTP_ALLOW_REMOTE=yes"}, "expected 0 or 1"},
        row{{"FAILPOINTS_HTTP=127.0.0.1:0", "FAILPOINTS_HTTP_ADDR_FILE=/nonexistent-dir/a"},
            "address file"}}) {
    INFO(r.env.front());
    const auto res = fpt::run(k_child, {"exit"}, r.env, 5s);
    CHECK(res.exit_code() == 1);
    CHECK_THAT(res.err, Catch::Contains("FAILPOINTS_HTTP") && Catch::Contains(r.message));
    CHECK(res.out.empty());
  }
  // Allowed explicitly, a non-loopback address is served.
  const std::string dir = fpt::temp_dir();
  fpt::process p = fpt::spawn(k_child, {"serve"},
                              {"FAILPOINTS_HTTP=0.0.0.0:0", "FAILPOINTS_HTTP_ALLOW_REMOTE=1",
                               "FAILPOINTS_HTTP_ADDR_FILE=" + dir + "/addr"},
                              dir);
  const std::string address = fpt::wait_for_file(dir + "/addr", 10s);
  CHECK(address.rfind("0.0.0.0:", 0) == 0);
  const auto port = address.substr(address.find(':'));
  CHECK(fpt::call("127.0.0.1" + port, "GET", "/").status == 200);
  fpt::close_stdin(p);
  CHECK(fpt::wait_exit(p, 5s));
}

TEST_CASE("FAILPOINTS_HTTP_TOKEN protects an endpoint started from the environment",
          "[http][process]") {
  child c("serve", {"FAILPOINTS_HTTP_TOKEN=tok"});
  REQUIRE(!c.address.empty());
  CHECK(fpt::call(c.address, "GET", "/").status == 401);
  CHECK(fpt::call(c.address, "GET", "/", "", {{"Authorization", "Bearer tok"}}).status == 200);
}
