// test/examples/support.cpp
#include "support.hpp"

#include "../support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "client.hpp"  // failpoint_http_client: the blocking client of failpointctl

namespace examples_test {

temp_dir::temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/failpoint-example-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp " + pattern + " failed");
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void append_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

int count_lines_starting_with(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line);)
    n += line.compare(0, prefix.size(), prefix) == 0 ? 1 : 0;
  return n;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

background::background(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env, std::string log)
    : log_(std::move(log)) {
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
      _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    // Catch2's crash handlers are inherited across fork; the program must die of its signal.
    for (int sig : {SIGABRT, SIGSEGV, SIGTERM, SIGINT, SIGTRAP})
      signal(sig, SIG_DFL);
    failpoint_test::exec_with_env(argv, env);
    _exit(127);
  }
}

background::~background() {
  if (!status_) {
    kill(pid_, SIGKILL);
    int ignored = 0;
    waitpid(pid_, &ignored, 0);
  }
}

std::optional<exit_status> background::wait(std::chrono::milliseconds limit) {
  eventually(
      [this] {
        if (status_)
          return true;
        int w = 0;
        if (waitpid(pid_, &w, WNOHANG) != pid_)
          return false;
        exit_status s;
        s.exited = WIFEXITED(w);
        s.code = s.exited ? WEXITSTATUS(w) : WTERMSIG(w);
        status_ = s;
        return true;
      },
      limit);
  return status_;
}

exit_status background::stop() {
  if (!status_) {
    kill(pid_, SIGTERM);
    if (!wait(std::chrono::seconds(5))) {
      kill(pid_, SIGKILL);
      wait(std::chrono::seconds(5));
    }
  }
  return status_.value_or(exit_status{});
}

http_result http(const std::string& address, const std::string& method, const std::string& target,
                 const std::string& body) {
  failpoint::ctl::request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.timeout = std::chrono::seconds(10);
  const failpoint::ctl::response r = failpoint::ctl::send(address, req);
  return {r.status, r.body, r.error};
}

}  // namespace examples_test
