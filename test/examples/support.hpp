// test/examples/support.hpp: what the example tests share: temporary directories, files, and
// programs running in the background that are always killed and reaped.
#ifndef FAILPOINT_TEST_EXAMPLES_SUPPORT_HPP
#define FAILPOINT_TEST_EXAMPLES_SUPPORT_HPP

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace examples_test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents at destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The whole file; an empty string when it does not exist.
std::string read_file(const std::string& path);
// Appends `text` to the file (created when missing).
void append_file(const std::string& path, const std::string& text);
// How many lines of `text` start with `prefix`.
int count_lines_starting_with(const std::string& text, const std::string& prefix);

// Polls `done` every 10 ms until it returns true or `limit` passes; returns its last result.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// How a process ended.
struct exit_status {
  bool exited = false;  // by exit(): `code` is the exit status; otherwise `code` is the signal
  int code = -1;
};

// A program running in the background with the current environment plus `env`, its standard
// output and error appended to `log`. It dies with the test process (PR_SET_DEATHSIG) and is
// killed (SIGKILL) and reaped at destruction if it still runs: no test leaves a process behind.
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
  std::string output() const { return read_file(log_); }

 private:
  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  std::string log_;
};

// An HTTP exchange with a local server: status 0 when no response came (`error` says why).
struct http_result {
  int status = 0;
  std::string body;
  std::string error;
};
// Sends METHOD target (with body) to "127.0.0.1:port"-style `address`, within 10 s.
http_result http(const std::string& address, const std::string& method, const std::string& target,
                 const std::string& body = "");

}  // namespace examples_test

#endif  // FAILPOINT_TEST_EXAMPLES_SUPPORT_HPP
