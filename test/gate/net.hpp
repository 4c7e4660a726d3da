// test/gate/net.hpp: blocking loopback sockets for the gate tests (POSIX, no Asio, so the tests
// compile fast): a server that runs a function per connection on its own thread, a client
// connection, and reads bounded in time. Files, processes and waiting come from the shared
// test-support library (failpoint_test).
#ifndef FAILPOINT_TEST_GATE_NET_HPP
#define FAILPOINT_TEST_GATE_NET_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace gate_test {

using std::chrono::milliseconds;

// An owned socket descriptor.
class socket_fd {
 public:
  socket_fd() = default;
  explicit socket_fd(int fd) : fd_(fd) {}
  socket_fd(socket_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  socket_fd& operator=(socket_fd&& o) noexcept;
  ~socket_fd() { reset(); }
  int get() const { return fd_; }
  void reset();

  // Sends everything (blocking); false when the peer closed or reset.
  bool send_all(std::string_view data) const;
  // Reads exactly n bytes unless EOF, an error or the time limit comes first (n = npos: until
  // one of them).
  std::string recv_exact(std::size_t n, milliseconds limit = milliseconds(10000)) const;
  // Reads until EOF (or an error, or the time limit).
  std::string recv_all(milliseconds limit = milliseconds(10000)) const;
  // Reads what arrives within `limit` (at most one read); empty when nothing came.
  std::string recv_some(milliseconds limit) const;
  // True when the peer closed (EOF or reset) within `limit`; data that arrives first is skipped.
  bool closed_within(milliseconds limit) const;
  // Closes the sending side (the peer reads EOF).
  void shutdown_send() const;

 private:
  int fd_ = -1;
};

// Connects to "127.0.0.1:port" (or any "host:port" numeric address). Throws on failure.
socket_fd connect_to(const std::string& address);

// A loopback server: each accepted connection runs `handler` on its own thread.
class server {
 public:
  explicit server(std::function<void(socket_fd&)> handler);
  ~server();
  std::string address() const { return address_; }
  int accepted() const { return accepted_.load(); }

 private:
  std::function<void(socket_fd&)> handler_;
  socket_fd listener_;
  std::string address_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// A handler that echoes everything back and closes after EOF.
void echo(socket_fd& s);

// `n` pseudo-random bytes from `seed`.
std::string random_bytes(std::size_t n, std::uint64_t seed);

// The number of descriptors this process has open (/proc/self/fd).
int open_descriptors();

}  // namespace gate_test

#endif  // FAILPOINT_TEST_GATE_NET_HPP
