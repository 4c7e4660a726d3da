// test/support/child_process.cpp: see child_process.hpp.
#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "files.hpp"

extern char** environ;

namespace failpoint_test {

namespace {

// The signals whose handlers the test framework installs (Catch2 catches SIGABRT, SIGSEGV...).
// They must not run in a child: they are not async-signal-safe (ThreadSanitizer reports them)
// and print into the child's captured output. The child dies of the signal itself.
void reset_crash_handlers() {
  for (int sig : {SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTERM, SIGINT})
    signal(sig, SIG_DFL);
}

// Reads the child's stdout and stderr until both close or `limit` passes (then kills it), and
// reaps it.
void read_both(int out_fd, int err_fd, pid_t pid, child_result& r,
               std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool out_open = true, err_open = true;
  char buffer[4096];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(left.count())) < 0)
      continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0)
        continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
      } else {
        (i == 0 ? r.out : r.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  const exit_status s = decode_status(wstatus);
  r.exited = s.exited;
  r.status = s.code;
}

// Forks; the child's stdout and stderr go to pipes the parent reads until the child ends (or
// `limit` passes, then it is killed). `in_child` runs in the child and must not return.
child_result run_forked(const std::function<void()>& in_child, std::chrono::milliseconds limit) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0)
    throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    close(out[1]);
    close(err[1]);
    in_child();
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  child_result r;
  read_both(out[0], err[0], pid, r, limit);
  close(out[0]);
  close(err[0]);
  return r;
}

// The environment of a child: this process's, without FAILPOINTS* when asked, plus `env`.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& env,
                                           bool drop_failpoints_env) {
  std::vector<std::string> result;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    const std::string name(*e, eq != nullptr ? static_cast<std::size_t>(eq - *e) : 0);
    if (env.count(name) != 0 || (drop_failpoints_env && name.rfind("FAILPOINTS", 0) == 0))
      continue;
    result.emplace_back(*e);
  }
  for (const auto& [name, value] : env)
    result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings)
    result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

child_result run_program(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         std::chrono::milliseconds limit) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = child_environment(env, false);
  std::vector<char*> arg_ptrs = pointers(args);
  std::vector<char*> env_ptrs = pointers(envs);
  return run_forked(
      [&] {
        reset_crash_handlers();
        execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
      },
      limit);
}

child_result run_in_child(const std::function<void()>& fn, std::chrono::milliseconds limit) {
  return run_forked(
      [&] {
        reset_crash_handlers();
        try {
          fn();
        } catch (...) {
          _exit(99);
        }
        fflush(stdout);
        _exit(0);
      },
      limit);
}

started start_process(const std::vector<std::string>& argv, const launch_options& options) {
  // Everything the child needs is prepared before fork(): after it, in a process with threads,
  // only async-signal-safe calls are allowed.
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = child_environment(options.env, options.drop_failpoints_env);
  std::vector<char*> arg_ptrs = pointers(args);
  std::vector<char*> env_ptrs = pointers(envs);
  const int flags = O_WRONLY | O_CREAT | (options.append ? O_APPEND : O_TRUNC);
  int in[2] = {-1, -1};
  if (options.stdin_pipe && ::pipe2(in, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    if (in[0] >= 0)
      ::dup2(in[0], 0);
    if (!options.out_path.empty()) {
      const int fd = ::open(options.out_path.c_str(), flags, 0644);
      if (fd < 0)
        ::_exit(127);
      ::dup2(fd, 1);
      if (options.err_path == options.out_path)
        ::dup2(fd, 2);
      ::close(fd);
    }
    if (!options.err_path.empty() && options.err_path != options.out_path) {
      const int fd = ::open(options.err_path.c_str(), flags, 0644);
      if (fd < 0)
        ::_exit(127);
      ::dup2(fd, 2);
      ::close(fd);
    }
    reset_crash_handlers();
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    ::_exit(127);
  }
  started s;
  s.pid = pid;
  if (in[0] >= 0) {
    ::close(in[0]);
    s.stdin_fd = in[1];
  }
  return s;
}

std::optional<int> wait_status(pid_t pid, std::chrono::milliseconds limit) {
  std::optional<int> status;
  eventually(
      [&] {
        int w = 0;
        if (::waitpid(pid, &w, WNOHANG) != pid)
          return false;
        status = w;
        return true;
      },
      limit);
  return status;
}

exit_status decode_status(int wait_status) {
  exit_status s;
  s.exited = WIFEXITED(wait_status);
  s.code =
      s.exited ? WEXITSTATUS(wait_status) : (WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : -1);
  return s;
}

background::background(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env, std::string log)
    : log_(std::move(log)) {
  launch_options options;
  options.env = env;
  options.out_path = log_;
  options.err_path = log_;
  options.append = true;
  pid_ = start_process(argv, options).pid;
}

background::~background() {
  if (!status_) {
    kill(pid_, SIGKILL);
    int ignored = 0;
    waitpid(pid_, &ignored, 0);
  }
}

std::optional<exit_status> background::wait(std::chrono::milliseconds limit) {
  if (!status_) {
    if (const std::optional<int> w = wait_status(pid_, limit))
      status_ = decode_status(*w);
  }
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

std::string background::output() const {
  return read_file(log_);
}

}  // namespace failpoint_test
