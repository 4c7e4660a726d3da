// test/support/child_process.hpp: run a program or a function in a child process and collect
// what it printed and how it ended. Header-only, for the test suites.
#ifndef FAILPOINT_TEST_CHILD_PROCESS_HPP
#define FAILPOINT_TEST_CHILD_PROCESS_HPP

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace failpoint_test {

// How a child process ended and what it wrote.
struct child_result {
  bool exited = false;     // ended by exit(); `status` is the exit status
  int status = -1;         // exit status, or the signal number when !exited
  bool timed_out = false;  // killed by us after the time limit
  std::string out;         // standard output
  std::string err;         // standard error
};

namespace detail {

inline void read_both(int out_fd, int err_fd, pid_t pid, child_result& r,
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
  if (WIFEXITED(wstatus)) {
    r.exited = true;
    r.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.status = WTERMSIG(wstatus);
  }
}

// Forks; the child's stdout and stderr go to pipes the parent reads until the child ends (or
// `limit` passes, then it is killed). `in_child` runs in the child and must not return.
template <class F>
child_result run_forked(F&& in_child, std::chrono::milliseconds limit) {
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

}  // namespace detail

// In a child process: sets the variables in `env` and executes `argv` (argv[0] is a path).
// Returns only if the exec failed.
inline void exec_with_env(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env)
    setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
}

// Runs `argv` (argv[0] is a path) with the current environment plus the variables in `env`,
// and kills it after `limit`.
inline child_result run_program(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env = {},
                                std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  return detail::run_forked([&] { exec_with_env(argv, env); }, limit);
}

// Runs `fn` in a forked child (exit status 0 when it returns, 99 when it throws), kills it after
// `limit`.
inline child_result run_in_child(const std::function<void()>& fn,
                                 std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  return detail::run_forked(
      [&] {
        // The test framework's crash handlers (Catch2 catches SIGABRT, SIGSEGV...) must not run
        // in the child: they are not async-signal-safe (ThreadSanitizer reports them) and print
        // to the child's captured output. The child dies of the signal itself.
        for (int sig : {SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE})
          signal(sig, SIG_DFL);
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

}  // namespace failpoint_test

#endif  // FAILPOINT_TEST_CHILD_PROCESS_HPP
