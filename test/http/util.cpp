// test/http/util.cpp: see util.hpp.
#include "util.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "failpoint/control.hpp"

namespace failpoint_test {

process spawn(const std::string& path, const std::vector<std::string>& args,
              const std::vector<std::string>& env, const std::string& dir) {
  static int serial = 0;
  ++serial;
  launch_options options;
  for (const std::string& entry : env) {
    const auto eq = entry.find('=');
    options.env[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
  }
  options.drop_failpoints_env = true;
  options.out_path = dir + "/child" + std::to_string(serial) + ".out";
  options.err_path = dir + "/child" + std::to_string(serial) + ".err";
  options.stdin_pipe = true;
  std::vector<std::string> argv{path};
  argv.insert(argv.end(), args.begin(), args.end());
  const started s = start_process(argv, options);
  process p;
  p.pid = s.pid;
  p.stdin_fd = s.stdin_fd;
  p.out_path = options.out_path;
  p.err_path = options.err_path;
  return p;
}

void close_stdin(process& p) {
  if (p.stdin_fd >= 0)
    ::close(p.stdin_fd);
  p.stdin_fd = -1;
}

std::optional<int> wait_exit(process& p, std::chrono::milliseconds timeout) {
  std::optional<int> status = wait_status(p.pid, timeout);
  if (!status) {
    ::kill(p.pid, SIGKILL);
    int ignored = 0;
    ::waitpid(p.pid, &ignored, 0);
  }
  close_stdin(p);
  return status;
}

int run_result::exit_code() const {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

run_result run(const std::string& path, const std::vector<std::string>& args,
               const std::vector<std::string>& env, std::chrono::milliseconds timeout) {
  const std::string dir = temp_dir();
  process p = spawn(path, args, env, dir);
  close_stdin(p);
  run_result r;
  const auto status = wait_exit(p, timeout);
  r.status = status ? *status : -1;
  r.out = read_file(p.out_path);
  r.err = read_file(p.err_path);
  return r;
}

int connect_raw(const std::string& address) {
  const auto colon = address.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

namespace {

// Waits until `deadline` for input and appends what one recv() gives. Returns false when the
// time is up (`*closed` false) or the peer closed the connection (`*closed` true).
bool receive_some(int fd, std::chrono::steady_clock::time_point deadline, std::string& out,
                  bool* closed) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd p{fd, POLLIN, 0};
  if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
    return false;
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    if (closed)
      *closed = true;
    return false;
  }
  out.append(buf, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool* closed) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (closed)
    *closed = false;
  while (receive_some(fd, deadline, out, closed)) {
  }
  return out;
}

std::string read_response(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    const auto end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      const auto cl = out.find("Content-Length: ");
      const std::size_t length =
          cl != std::string::npos && cl < end ? std::stoul(out.substr(cl + 16)) : 0;
      if (out.size() >= end + 4 + length)
        return out;
    }
  } while (receive_some(fd, deadline, out, nullptr));
  return out;
}

int status_of(const std::string& raw) {
  if (raw.size() < 12 || raw.compare(0, 5, "HTTP/") != 0)
    return 0;
  return std::atoi(raw.c_str() + 9);
}

std::string closed_address() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = 0;
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
}

endpoint::endpoint(const failpoint::http::options& opts)
    : address(failpoint::http::start("127.0.0.1:0", opts)) {}

endpoint::~endpoint() {
  failpoint::http::stop();
  failpoint::disable_all();
}

child::child(const std::string& mode, std::vector<std::string> env, const std::string& program) {
  dir = temp_dir();
  env.push_back("FAILPOINTS_HTTP=127.0.0.1:0");
  env.push_back("FAILPOINTS_HTTP_ADDR_FILE=" + dir + "/addr");
  proc = spawn(program, {mode}, env, dir);
  address = wait_for_file(dir + "/addr", 10s);
}

child::~child() {
  if (proc.stdin_fd >= 0) {
    close_stdin(proc);
    wait_exit(proc, 5s);
  }
}

}  // namespace failpoint_test
