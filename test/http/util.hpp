// test/http/util.hpp: helpers for the endpoint tests: child processes with a stdin to close,
// raw sockets (for clients that misbehave on purpose) and the test process's own endpoint. The
// shared helpers (temporary directories, files, processes, HTTP calls) are test/support's.
#ifndef FAILPOINT_TEST_HTTP_UTIL_HPP
#define FAILPOINT_TEST_HTTP_UTIL_HPP

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "failpoint/http.hpp"

#include "child_process.hpp"
#include "client.hpp"
#include "files.hpp"
#include "http_call.hpp"

// The endpoint tests' helpers are part of the one test namespace; `fpt::` is its short name here.
namespace failpoint_test {}
namespace fpt = failpoint_test;

namespace failpoint_test {

using namespace std::chrono_literals;

// A child process started by spawn(); its stdout and stderr go to files.
struct process {
  pid_t pid = -1;
  int stdin_fd = -1;  // write end of the child's stdin; close it to tell the child to finish
  std::string out_path;
  std::string err_path;
};

// Starts `path args...` with the current environment minus every FAILPOINTS* variable, plus
// `env` ("NAME=value" entries).
process spawn(const std::string& path, const std::vector<std::string>& args,
              const std::vector<std::string>& env, const std::string& dir);

// Closes the child's stdin (the test programs finish on end of input).
void close_stdin(process& p);

// Waits for the child at most `timeout`; returns its wait status, or nullopt (and kills it).
std::optional<int> wait_exit(process& p, std::chrono::milliseconds timeout);

// Runs a program to completion (at most `timeout`); returns wait status, stdout and stderr.
struct run_result {
  int status = -1;
  std::string out;
  std::string err;
  int exit_code() const;
};
run_result run(const std::string& path, const std::vector<std::string>& args,
               const std::vector<std::string>& env, std::chrono::milliseconds timeout);

// Raw sockets. connect_raw returns a connected fd (or -1).
int connect_raw(const std::string& address);
bool send_all(int fd, const std::string& data);
// Reads until the peer closes or `timeout` passes; `closed` tells which.
std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr);
// Reads one whole response (headers and Content-Length body), or what came within `timeout`.
std::string read_response(int fd, std::chrono::milliseconds timeout);
// The status code of a raw HTTP response ("HTTP/1.1 413 ..."), or 0.
int status_of(const std::string& raw_response);

// A TCP port on 127.0.0.1 nothing listens on (bound then closed).
std::string closed_address();

// The endpoint of this test process on a free loopback port, for one test; stopped, and every
// failpoint disabled, at the end.
struct endpoint {
  explicit endpoint(const failpoint::http::options& opts = {});
  ~endpoint();
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;
  std::string address;
};

// test/http/child.cpp (or `program`) run in `mode` with FAILPOINTS_HTTP=127.0.0.1:0 and an
// address file, plus `env`; `address` is where its endpoint listens (empty if it did not start
// within 10 s). Finished at the end (stdin closed, then killed after 5 s).
struct child {
  explicit child(const std::string& mode, std::vector<std::string> env = {},
                 const std::string& program = FAILPOINT_HTTP_CHILD);
  ~child();
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  std::string dir;
  process proc;
  std::string address;
};

}  // namespace failpoint_test

#endif  // FAILPOINT_TEST_HTTP_UTIL_HPP
