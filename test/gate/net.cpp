// test/gate/net.cpp: see net.hpp.
#include "net.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <stdexcept>

namespace gate_test {
namespace {

// Waits until fd is readable or `deadline` passes; false on timeout.
bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0)
      return true;
    if (r < 0 && errno != EINTR)
      return true;  // let the read report the error
  }
}

sockaddr_in parse(const std::string& address) {
  const auto colon = address.rfind(':');
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1)
    throw std::runtime_error("test: not an IPv4 address: " + address);
  return sa;
}

}  // namespace

socket_fd& socket_fd::operator=(socket_fd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void socket_fd::reset() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool socket_fd::send_all(std::string_view data) const {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string socket_fd::recv_exact(std::size_t n, milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string out;
  char buffer[65536];
  while (out.size() < n && wait_readable(fd_, deadline)) {
    ssize_t r = ::recv(fd_, buffer, std::min(sizeof buffer, n - out.size()), 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    out.append(buffer, static_cast<std::size_t>(r));
  }
  return out;
}

std::string socket_fd::recv_all(milliseconds limit) const {
  return recv_exact(std::string::npos, limit);
}

std::string socket_fd::recv_some(milliseconds limit) const {
  if (!wait_readable(fd_, std::chrono::steady_clock::now() + limit))
    return {};
  char buffer[65536];
  ssize_t r = ::recv(fd_, buffer, sizeof buffer, 0);
  return r > 0 ? std::string(buffer, static_cast<std::size_t>(r)) : std::string();
}

bool socket_fd::closed_within(milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[65536];
  while (wait_readable(fd_, deadline)) {
    ssize_t r = ::recv(fd_, buffer, sizeof buffer, 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return true;
  }
  return false;
}

void socket_fd::shutdown_send() const {
  ::shutdown(fd_, SHUT_WR);
}

socket_fd connect_to(const std::string& address) {
  sockaddr_in sa = parse(address);
  socket_fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0 || ::connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    throw std::runtime_error("test: cannot connect to " + address);
  int one = 1;
  ::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

server::server(std::function<void(socket_fd&)> handler) : handler_(std::move(handler)) {
  listener_ = socket_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(listener_.get(), 512) != 0 ||
      ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw std::runtime_error("test: cannot listen");
  address_ = "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      pollfd p{listener_.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      ++accepted_;
      std::lock_guard<std::mutex> lock(mutex_);
      threads_.emplace_back([this, fd] {
        socket_fd s(fd);
        handler_(s);
      });
      // Join finished threads now and then so thousands of connections keep few threads.
      if (threads_.size() > 64) {
        for (auto& t : threads_)
          t.join();
        threads_.clear();
      }
    }
  });
}

server::~server() {
  stopping_ = true;
  acceptor_.join();
  for (auto& t : threads_)
    t.join();
}

void echo(socket_fd& s) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(s.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    if (!s.send_all({buffer, static_cast<std::size_t>(n)}))
      return;
  }
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t x = rng();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j)
      out[i + j] = static_cast<char>(x >> (8 * j));
  }
  return out;
}

int open_descriptors() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr)
      ++n;
    ::closedir(d);
  }
  return n;
}

}  // namespace gate_test
