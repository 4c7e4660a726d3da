// test/support/child_process.hpp: child processes for every test suite (library
// failpoint_test_support): run a program or a function to completion and collect what it printed
// and how it ended, or start one in the background that is always killed and reaped.
#ifndef FAILPOINT_TEST_SUPPORT_CHILD_PROCESS_HPP
#define FAILPOINT_TEST_SUPPORT_CHILD_PROCESS_HPP

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
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

// Runs `argv` (argv[0] is a path) with the current environment plus the variables in `env`,
// and kills it after `limit`.
child_result run_program(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::milliseconds limit = std::chrono::seconds(30));

// Runs `fn` in a forked child (exit status 0 when it returns, 99 when it throws), kills it after
// `limit`. The test framework's crash handlers are reset in the child: it dies of the signal.
child_result run_in_child(const std::function<void()>& fn,
                          std::chrono::milliseconds limit = std::chrono::seconds(30));

// How to start a program with start_process().
struct launch_options {
  std::map<std::string, std::string> env;  // set over the inherited environment
  bool drop_failpoints_env = false;        // first remove inherited FAILPOINTS* variables
  std::string out_path;                    // standard output to this file (empty: inherited)
  std::string err_path;     // standard error to this file (empty: inherited; may equal out_path)
  bool append = false;      // append to the files instead of truncating them
  bool stdin_pipe = false;  // give the child a pipe as standard input (see started::stdin_fd)
};

// A process started by start_process().
struct started {
  pid_t pid = -1;
  int stdin_fd = -1;  // write end of the child's standard input when launch_options::stdin_pipe
};

// Starts `argv` (argv[0] is a path). The child dies with the test process (PR_SET_PDEATHSIG) and
// has the default signal handlers, not the test framework's. Throws std::runtime_error when it
// cannot fork.
started start_process(const std::vector<std::string>& argv, const launch_options& options);

// Waits up to `limit` for `pid` to end; returns its wait status, or nullopt when it still runs.
std::optional<int> wait_status(pid_t pid, std::chrono::milliseconds limit);

// How a process ended.
struct exit_status {
  bool exited = false;  // by exit(): `code` is the exit status; otherwise `code` is the signal
  int code = -1;
};
exit_status decode_status(int wait_status);

// A program running in the background with the current environment plus `env`, its standard
// output and error appended to `log`. Killed (SIGKILL) and reaped at destruction if it still
// runs: no test leaves a process behind.
class background {
 public:
  background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             std::string log);
  ~background();
  background(const background&) = delete;
  background& operator=(const background&) = delete;

  // Waits up to `limit` for the process to end; std::nullopt when it still runs.
  std::optional<exit_status> wait(std::chrono::milliseconds limit);
  // Sends SIGTERM and waits up to 5 s, then SIGKILL; returns how it ended.
  exit_status stop();
  // What it printed so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  std::string log_;
};

}  // namespace failpoint_test

#endif  // FAILPOINT_TEST_SUPPORT_CHILD_PROCESS_HPP
