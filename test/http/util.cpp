// test/http/util.cpp: see util.hpp.
#include "util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "failpoint/control.hpp"

extern char** environ;

namespace fpt {

namespace {

// Every directory temp_dir() made in this process; removed when it exits.
std::vector<std::string>& temp_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void remove_temp_dirs() {
  for (const auto& dir : temp_dirs()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

}  // namespace

std::string temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/failpoint-http-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  if (temp_dirs().empty())
    std::atexit(remove_temp_dirs);
  temp_dirs().push_back(tmpl);
  return tmpl;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string wait_for_file(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string s = read_file(path);
    if (!s.empty()) {
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
      return s;
    }
    std::this_thread::sleep_for(10ms);
  }
  return {};
}

namespace {

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "FAILPOINTS", 10) == 0)
      continue;
    env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// fork + exec with stdin from a pipe and stdout/stderr to the given files.
pid_t start_child(const std::string& path, const std::vector<std::string>& args,
                  const std::vector<std::string>& env, int stdin_read, const std::string& out,
                  const std::string& err) {
  std::vector<std::string> argv_s{path};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const std::vector<std::string> env_s = child_environment(env);
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_s)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(stdin_read, 0);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execve(path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

process spawn(const std::string& path, const std::vector<std::string>& args,
              const std::vector<std::string>& env, const std::string& dir) {
  static int serial = 0;
  ++serial;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  process p;
  p.out_path = dir + "/child" + std::to_string(serial) + ".out";
  p.err_path = dir + "/child" + std::to_string(serial) + ".err";
  p.pid = start_child(path, args, env, fds[0], p.out_path, p.err_path);
  ::close(fds[0]);
  p.stdin_fd = fds[1];
  return p;
}

void close_stdin(process& p) {
  if (p.stdin_fd >= 0)
    ::close(p.stdin_fd);
  p.stdin_fd = -1;
}

std::optional<int> wait_exit(process& p, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(p.pid, &status, WNOHANG);
    if (r == p.pid) {
      close_stdin(p);
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(5ms);
  }
  ::kill(p.pid, SIGKILL);
  ::waitpid(p.pid, &status, 0);
  close_stdin(p);
  return std::nullopt;
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

failpoint::ctl::response call(const std::string& address, const std::string& method,
                              const std::string& target, const std::string& body,
                              std::vector<std::pair<std::string, std::string>> headers,
                              std::chrono::milliseconds timeout) {
  failpoint::ctl::request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers = std::move(headers);
  req.timeout = timeout;
  return failpoint::ctl::send(address, req);
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

}  // namespace fpt
