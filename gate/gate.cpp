// gate/gate.cpp: the TCP gate (failpoint/gate.hpp), on Boost.Asio.
//
// Shape: one io_context and one thread per gate, so every handler of a gate runs on that thread
// and nothing inside needs a lock (the counters are atomics for readers on other threads). An
// acceptor loop makes a `connection` per client; each connection has two `pump`s (client to
// server, server to client) that read chunks, pass them through the direction's failpoints, and
// write them out, with a read and a write in flight at once.
//
// Every behaviour is a failpoint evaluated at each chunk, so a change made by any means applies
// to live connections at their next chunk. A direction that waits on a failpoint (no_read, hold,
// an incomplete concat) and a stopped acceptor re-check it every k_recheck with a timer; nothing
// spins.
#include "failpoint/gate.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <fmt/format.h>

#include "failpoint/control.hpp"
#include "failpoint/dynamic.hpp"

#include "http-control/url.hpp"

namespace failpoint {
namespace gate_internal {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using std::chrono::milliseconds;

// Bytes asked for per read: a typical socket buffer, and the benchmark's chunk.
constexpr std::size_t k_chunk = 64 * 1024;
// Bytes a direction collects (held, concatenated, or read while a write is in flight) before it
// stops reading: beyond this the sender is slowed by TCP itself, as with a real slow peer.
constexpr std::size_t k_max_pending = 4 * 1024 * 1024;
// How often a waiting direction or a stopped acceptor re-checks its failpoint, and how often the
// gate checks close_connections: short enough that a test sees a change at once, long enough to
// cost nothing (a relaxed load per check while off).
constexpr milliseconds k_recheck{10};
// limit_bandwidth paces writes in pieces of bytes_per_second / k_pacing_steps, then waits.
constexpr std::int64_t k_pacing_steps = 20;
// While no behaviour of a direction is armed, its bytes go socket to pipe to socket with
// splice(2), never copied through the gate's memory; this many chunks are moved in one go before
// the io thread turns to other connections.
constexpr int k_splice_burst = 16;
// In a `substitute` value, what separates the bytes to find from their replacement.
constexpr std::string_view k_substitute_separator = "->";

// The behaviours of one direction: the failpoint suffix and the C++ type of its value. The one
// list from which the failpoints are made, the C++ API switches them and pass() turns them off.
enum class behaviour : std::size_t {
  no_read,
  hold,
  drop,
  delay,
  close_on_data,
  corrupt,
  limit_bandwidth,
  close_after_bytes,
  close_after,
  slice,
  concat,
  substitute,
  count
};
struct behaviour_spec {
  const char* suffix;
  const char* type;
};
constexpr behaviour_spec k_behaviours[] = {
    {"no_read", ""},
    {"hold", ""},
    {"drop", ""},
    {"delay", "int"},
    {"close_on_data", ""},
    {"corrupt", "std::int64_t"},
    {"limit_bandwidth", "std::int64_t"},
    {"close_after_bytes", "std::int64_t"},
    {"close_after", "int"},
    {"slice", "std::int64_t"},
    {"concat", "std::int64_t"},
    {"substitute", "std::string"},
};
static_assert(std::size(k_behaviours) == static_cast<std::size_t>(behaviour::count));

// The failpoints of one direction, made once per gate name.
class direction_points {
 public:
  explicit direction_points(const std::string& prefix) {
    points_.reserve(std::size(k_behaviours));
    for (const behaviour_spec& b : k_behaviours)
      points_.emplace_back(prefix + b.suffix, b.type);
  }
  const failpoint::named& operator[](behaviour b) const {
    return points_[static_cast<std::size_t>(b)];
  }
  // True when any behaviour may act (relaxed loads only: nothing is evaluated or counted).
  bool any_armed() const {
    return std::any_of(points_.begin(), points_.end(),
                       [](const failpoint::named& p) { return p.armed(); });
  }

 private:
  std::vector<failpoint::named> points_;
};

// Writes a string as a term's string value: "..." with \" \\ and \xHH for other bytes.
std::string quoted(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "\"";
}

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Flips bits of every byte; the mask of the byte at `offset` in the stream depends only on the
// seed and the offset, so a run is reproducible whatever the chunking. Never a zero mask.
void corrupt_bytes(char* data, std::size_t n, std::uint64_t offset, std::int64_t seed) {
  for (std::size_t i = 0; i < n; ++i) {
    auto mask = static_cast<unsigned char>(
        splitmix64(static_cast<std::uint64_t>(seed) ^ splitmix64(offset + i)));
    data[i] = static_cast<char>(static_cast<unsigned char>(data[i]) ^ (mask == 0 ? 1 : mask));
  }
}

// Replaces every `from` with `to` in `chunk`. `rule` is "FROM->TO".
std::string substituted(std::string_view chunk, std::string_view rule) {
  const auto sep = rule.find(k_substitute_separator);
  if (sep == std::string_view::npos || sep == 0)
    return std::string(chunk);
  const std::string_view from = rule.substr(0, sep);
  const std::string_view to = rule.substr(sep + k_substitute_separator.size());
  std::string out;
  out.reserve(chunk.size());
  std::size_t at = 0;
  for (auto hit = chunk.find(from); hit != std::string_view::npos; hit = chunk.find(from, at)) {
    out.append(chunk.substr(at, hit - at));
    out.append(to);
    at = hit + from.size();
  }
  out.append(chunk.substr(at));
  return out;
}

}  // namespace

class connection;

// One direction of a connection: reads `from`, writes `to`.
class pump {
 public:
  pump(connection& c, tcp::socket& from, tcp::socket& to, const direction_points& fp,
       std::atomic<std::uint64_t>& bytes, std::atomic<std::uint64_t>& writes)
      : conn_(c),
        from_(from),
        to_(to),
        fp_(fp),
        bytes_(bytes),
        writes_(writes),
        recheck_(from.get_executor()),
        wait_(from.get_executor()) {}

  // Decides what to do next: read, write, wait for a failpoint, or finish. Called after every
  // event of this direction.
  void advance();
  ~pump() { close_pipe(); }
  // Cancels the timers and closes the pipe (the connection is closing).
  void shut() {
    recheck_.cancel();
    wait_.cancel();
    close_pipe();
  }
  bool finished() const { return finished_; }

 private:
  void close_pipe() {
    for (int& fd : pipe_) {
      if (fd >= 0)
        ::close(fd);
      fd = -1;
    }
  }
  void start_read();
  void splice_cycle();
  void wait_readable();
  void on_read(const error_code& ec, std::size_t n);
  void start_write();
  void write_next();
  void arm_recheck();
  void finish();
  bool closed() const;

  connection& conn_;
  tcp::socket& from_;
  tcp::socket& to_;
  const direction_points& fp_;
  std::atomic<std::uint64_t>& bytes_;
  std::atomic<std::uint64_t>& writes_;
  asio::steady_timer recheck_;  // re-checks a failpoint the direction waits on
  asio::steady_timer wait_;     // delay and bandwidth pacing

  // Bytes read and not yet being written: pending_[0, pending_len_). The vector only grows (no
  // zero-fill per read).
  std::vector<char> pending_;
  std::size_t pending_len_ = 0;
  // Bytes being written: out_[out_pos_, out_len_), in pieces of slice_ bytes.
  std::vector<char> out_;
  std::size_t out_len_ = 0;
  std::size_t out_pos_ = 0;
  std::size_t slice_ = 0;
  std::int64_t bytes_per_second_ = 0;
  bool close_when_written_ = false;

  std::uint64_t read_offset_ = 0;  // bytes read so far, the position `corrupt` keys on
  std::uint64_t forwarded_ = 0;    // bytes written so far, for close_after_bytes
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
  bool finished_ = false;
  bool recheck_armed_ = false;

  // The splice path: bytes in the pipe are read and not yet written (a write in flight).
  int pipe_[2] = {-1, -1};
  std::size_t in_pipe_ = 0;
};

class gate_impl;

// A client connection and its upstream connection.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(gate_impl& g, tcp::socket client);
  void start();
  // Closes both sockets (idempotent) and removes the connection from the gate.
  void close();
  bool closed() const { return closed_; }
  void pump_finished();

  gate_impl& gate;
  const std::chrono::steady_clock::time_point born = std::chrono::steady_clock::now();
  tcp::socket client;
  tcp::socket server;

 private:
  pump up_;
  pump down_;
  bool closed_ = false;
};

class gate_impl {
 public:
  gate_impl(std::string_view name, std::string_view upstream, std::string_view listen);
  ~gate_impl() { stop(); }

  void stop();
  void close_all();
  // Withdraws an accept in flight, so that a stop of accepting applies to the next connection.
  void withdraw_accept() {
    if (accepting_)
      acceptor_.cancel();
  }
  void post_and_wait(std::function<void()> fn);
  void connection_closed(connection* c);
  void notify() {
    { std::lock_guard<std::mutex> lock(mutex_); }
    changed_.notify_all();
  }
  bool wait_until(std::function<bool()> done, milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, std::move(done));
  }

  // Declared first: destroyed last, after every socket and timer that uses it.
  asio::io_context io;
  const std::string name;
  const std::string prefix;  // "gate.NAME."
  std::vector<tcp::endpoint> upstream;
  std::string address;
  std::uint16_t port = 0;

  const failpoint::named accept_point;
  const failpoint::named close_point;
  const direction_points to_server_points;
  const direction_points to_client_points;

  std::atomic<std::uint64_t> accepted{0}, open{0};
  std::atomic<std::uint64_t> to_server_bytes{0}, to_client_bytes{0};
  std::atomic<std::uint64_t> to_server_writes{0}, to_client_writes{0};

 private:
  void do_accept();
  void tick();

  tcp::acceptor acceptor_;
  asio::steady_timer accept_wait_;
  asio::steady_timer tick_;
  std::unordered_map<connection*, std::shared_ptr<connection>> connections_;
  bool accepting_ = false;  // an async_accept is in flight
  bool stopping_ = false;
  mutable std::mutex mutex_;  // for the waits on the counters
  mutable std::condition_variable changed_;
  std::mutex life_mutex_;  // serializes stop() with calls that run on the io thread
  std::thread thread_;
};

// --- pump ---

bool pump::closed() const {
  return conn_.closed();
}

void pump::advance() {
  if (closed() || finished_ || in_pipe_ > 0)
    return;  // (the pipe's write, in flight, continues by itself)
  bool waiting = false;
  if (!reading_ && !eof_ && pending_len_ < k_max_pending) {
    if (fp_[behaviour::no_read].fired())
      waiting = true;  // data stays in the socket
    else if (!writing_ && pending_len_ == 0 && !fp_.any_armed())
      return splice_cycle();
    else
      start_read();
  }
  if (!writing_ && pending_len_ > 0) {
    bool ready = !fp_[behaviour::hold].fired();
    if (ready && !eof_) {
      if (auto want = fp_[behaviour::concat].value<std::int64_t>())
        ready = static_cast<std::int64_t>(pending_len_) >= *want;
    }
    if (ready)
      start_write();
    else
      waiting = true;
  }
  if (eof_ && !writing_ && pending_len_ == 0) {
    finish();
    return;
  }
  if (waiting)
    arm_recheck();
}

void pump::arm_recheck() {
  if (recheck_armed_)
    return;
  recheck_armed_ = true;
  recheck_.expires_after(k_recheck);
  recheck_.async_wait([self = conn_.shared_from_this(), this](const error_code& ec) {
    recheck_armed_ = false;
    if (!ec)
      advance();
  });
}

void pump::start_read() {
  // Read what is there now; wait for readability only when nothing is. A wait, not a read, is
  // what stays in flight: when data arrives the failpoints are checked before it is read, so
  // no_read leaves it in the socket even if it was set while the direction was idle.
  if (pending_.size() < pending_len_ + k_chunk)
    pending_.resize(pending_len_ + k_chunk);
  error_code ec;
  const std::size_t n = from_.read_some(asio::buffer(pending_.data() + pending_len_, k_chunk), ec);
  if (ec != asio::error::would_block && ec != asio::error::try_again)
    return on_read(ec, n);
  wait_readable();
}

void pump::wait_readable() {
  reading_ = true;
  from_.async_wait(tcp::socket::wait_read,
                   [self = conn_.shared_from_this(), this](const error_code& ec) {
                     reading_ = false;
                     if (closed())
                       return;
                     if (ec)
                       return conn_.close();
                     advance();
                   });
}

// Moves chunks socket to pipe to socket while no behaviour is armed (checked before each read,
// like the failpoints themselves on the other path), then hands back to advance().
void pump::splice_cycle() {
  if (pipe_[0] < 0 && ::pipe2(pipe_, O_NONBLOCK | O_CLOEXEC) != 0)
    return conn_.close();  // out of descriptors: this connection cannot go on
  constexpr unsigned flags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
  for (int i = 0; i < k_splice_burst; ++i) {
    while (in_pipe_ > 0) {
      const ssize_t n = ::splice(pipe_[0], nullptr, to_.native_handle(), nullptr, in_pipe_, flags);
      if (n > 0) {
        const auto w = static_cast<std::size_t>(n);
        in_pipe_ -= w;
        forwarded_ += w;
        bytes_.fetch_add(w, std::memory_order_relaxed);
        writes_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (errno == EINTR)
          continue;
        writing_ = true;
        to_.async_wait(tcp::socket::wait_write,
                       [self = conn_.shared_from_this(), this](const error_code& ec) {
                         writing_ = false;
                         if (closed())
                           return;
                         if (ec)
                           return conn_.close();
                         splice_cycle();
                       });
        return;
      }
      return conn_.close();  // the receiver is gone
    }
    if (eof_ || fp_.any_armed())
      return advance();
    const ssize_t n = ::splice(from_.native_handle(), nullptr, pipe_[1], nullptr, k_chunk, flags);
    if (n > 0) {
      in_pipe_ = static_cast<std::size_t>(n);
      read_offset_ += in_pipe_;
      continue;
    }
    if (n == 0) {
      eof_ = true;
      return advance();
    }
    if (errno == EAGAIN)
      return wait_readable();
    if (errno != EINTR)
      return conn_.close();
  }
  // Let the other connections of this gate run before the next burst.
  asio::post(from_.get_executor(), [self = conn_.shared_from_this(), this] {
    if (!closed())
      in_pipe_ > 0 ? splice_cycle() : advance();
  });
}

void pump::on_read(const error_code& ec, std::size_t n) {
  if (closed())
    return;
  if (ec == asio::error::eof) {
    eof_ = true;
    advance();
    return;
  }
  if (ec) {
    conn_.close();
    return;
  }
  if (fp_[behaviour::close_on_data].fired()) {
    conn_.close();
    return;
  }
  if (auto ms = fp_[behaviour::close_after].value<int>()) {
    if (std::chrono::steady_clock::now() - conn_.born >= milliseconds(*ms)) {
      conn_.close();
      return;
    }
  }
  const std::uint64_t offset = read_offset_;
  read_offset_ += n;
  if (fp_[behaviour::drop].fired())
    return advance();
  if (auto rule = fp_[behaviour::substitute].value<std::string_view>()) {
    const std::string out = substituted({pending_.data() + pending_len_, n}, *rule);
    if (pending_.size() < pending_len_ + out.size())
      pending_.resize(pending_len_ + out.size());
    std::memcpy(pending_.data() + pending_len_, out.data(), out.size());
    n = out.size();
  }
  if (auto seed = fp_[behaviour::corrupt].value<std::int64_t>())
    corrupt_bytes(pending_.data() + pending_len_, n, offset, *seed);
  pending_len_ += n;
  advance();
}

void pump::start_write() {
  writing_ = true;
  std::swap(out_, pending_);  // no read is ever in flight into pending_ (start_read)
  out_len_ = pending_len_;
  pending_len_ = 0;
  out_pos_ = 0;
  close_when_written_ = false;
  if (auto limit = fp_[behaviour::close_after_bytes].value<std::int64_t>()) {
    const std::uint64_t max = static_cast<std::uint64_t>(std::max<std::int64_t>(*limit, 0));
    const std::uint64_t allowed = max > forwarded_ ? max - forwarded_ : 0;
    if (out_len_ >= allowed) {
      out_len_ = static_cast<std::size_t>(allowed);
      close_when_written_ = true;
    }
  }
  slice_ = out_len_;
  if (auto s = fp_[behaviour::slice].value<std::int64_t>())
    slice_ = static_cast<std::size_t>(std::max<std::int64_t>(*s, 1));
  bytes_per_second_ = 0;
  if (auto bps = fp_[behaviour::limit_bandwidth].value<std::int64_t>()) {
    bytes_per_second_ = std::max<std::int64_t>(*bps, 1);
    slice_ = std::min<std::size_t>(slice_, static_cast<std::size_t>(std::max<std::int64_t>(
                                               bytes_per_second_ / k_pacing_steps, 1)));
  }
  if (auto ms = fp_[behaviour::delay].value<int>(); ms && *ms > 0) {
    wait_.expires_after(milliseconds(*ms));
    wait_.async_wait([self = conn_.shared_from_this(), this](const error_code& ec) {
      if (!ec && !closed())
        write_next();
    });
    return;
  }
  write_next();
}

void pump::write_next() {
  if (out_pos_ == out_len_) {
    writing_ = false;
    if (close_when_written_)
      return conn_.close();
    return advance();
  }
  const std::size_t n = std::min(slice_, out_len_ - out_pos_);
  asio::async_write(to_, asio::buffer(out_.data() + out_pos_, n),
                    [self = conn_.shared_from_this(), this](const error_code& ec, std::size_t w) {
                      if (closed())
                        return;
                      if (ec)
                        return conn_.close();
                      out_pos_ += w;
                      forwarded_ += w;
                      bytes_.fetch_add(w, std::memory_order_relaxed);
                      writes_.fetch_add(1, std::memory_order_relaxed);
                      if (bytes_per_second_ > 0) {
                        wait_.expires_after(std::chrono::nanoseconds(
                            static_cast<std::int64_t>(w) * 1'000'000'000 / bytes_per_second_));
                        wait_.async_wait([self, this](const error_code& wait_ec) {
                          if (!wait_ec && !closed())
                            write_next();
                        });
                        return;
                      }
                      write_next();
                    });
  // Everything pending was taken: a read may go on meanwhile.
  advance();
}

void pump::finish() {
  finished_ = true;
  error_code ignored;
  to_.shutdown(tcp::socket::shutdown_send, ignored);  // the sender closed: pass it on
  conn_.pump_finished();
}

// --- connection ---

connection::connection(gate_impl& g, tcp::socket c)
    : gate(g),
      client(std::move(c)),
      server(g.io),
      up_(*this, client, server, g.to_server_points, g.to_server_bytes, g.to_server_writes),
      down_(*this, server, client, g.to_client_points, g.to_client_bytes, g.to_client_writes) {}

void connection::start() {
  asio::async_connect(server, gate.upstream,
                      [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
                        if (self->closed_)
                          return;
                        if (ec)
                          return self->close();  // the client sees its connection closed
                        error_code ignored;
                        for (tcp::socket* s : {&self->client, &self->server}) {
                          s->set_option(tcp::no_delay(true), ignored);
                          s->non_blocking(true, ignored);  // for start_read's read_some
                        }
                        self->up_.advance();
                        self->down_.advance();
                      });
}

void connection::pump_finished() {
  if (up_.finished() && down_.finished())
    close();
}

void connection::close() {
  if (closed_)
    return;
  closed_ = true;
  error_code ignored;
  client.close(ignored);
  server.close(ignored);
  up_.shut();
  down_.shut();
  gate.connection_closed(this);
}

// --- gate_impl ---

namespace {

// A gate name becomes part of failpoint names: keep it to characters that need no quoting in
// FAILPOINTS, URLs or shells.
void check_name(std::string_view name) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  if (!ok)
    throw std::invalid_argument(
        fmt::format("bad gate name \"{}\": expected letters, digits, '_' or '-' (e.g. db)", name));
}

std::vector<tcp::endpoint> resolve(asio::io_context& io, std::string_view what,
                                   std::string_view text) {
  const auto split = http_internal::split_host_port(text);
  if (!split.ok())
    throw std::invalid_argument(fmt::format("bad {} address {}", what, split.error().message));
  const http_internal::host_port& hp = split.value();
  tcp::resolver resolver(io);
  error_code ec;
  auto results = resolver.resolve(hp.host, hp.port, tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    throw std::invalid_argument(fmt::format("bad {} address \"{}\": cannot resolve \"{}\": {}",
                                            what, text, hp.host, ec.message()));
  std::vector<tcp::endpoint> out;
  for (const auto& r : results)
    out.push_back(r.endpoint());
  return out;
}

// The names of the gates running in this process: two gates of one name would share failpoints.
std::mutex& names_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& running_names() {
  static std::set<std::string> names;
  return names;
}

std::string checked_name(std::string_view name) {
  check_name(name);
  std::lock_guard<std::mutex> lock(names_mutex());
  if (!running_names().insert(std::string(name)).second)
    throw std::invalid_argument(
        fmt::format("a gate named \"{}\" is already running in this process", name));
  return std::string(name);
}

}  // namespace

gate_impl::gate_impl(std::string_view n, std::string_view up, std::string_view listen)
    : name(checked_name(n)),
      prefix("gate." + name + "."),
      accept_point(prefix + "accept"),
      close_point(prefix + "close_connections"),
      to_server_points(prefix + "to_server."),
      to_client_points(prefix + "to_client."),
      acceptor_(io),
      accept_wait_(io),
      tick_(io) {
  try {
    upstream = resolve(io, "upstream", up);
    const tcp::endpoint endpoint = resolve(io, "listen", listen).front();
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    tcp::endpoint bound;
    if (!ec)
      bound = acceptor_.local_endpoint(ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("gate \"{}\" cannot listen on \"{}\": {}", name, listen, ec.message()));
    port = bound.port();
    address = http_internal::join_host_port(bound.address().to_string(), port);
  } catch (...) {
    std::lock_guard<std::mutex> lock(names_mutex());
    running_names().erase(name);
    throw;
  }
  do_accept();
  tick();
  thread_ = std::thread([this] { io.run(); });
}

void gate_impl::do_accept() {
  if (stopping_)
    return;
  if (accept_point.fired()) {  // connections wait in the listen queue
    accept_wait_.expires_after(k_recheck);
    accept_wait_.async_wait([this](const error_code& ec) {
      if (!ec)
        do_accept();
    });
    return;
  }
  accepting_ = true;
  acceptor_.async_accept(io, [this](const error_code& ec, tcp::socket socket) {
    accepting_ = false;
    if (stopping_)
      return;
    if (!ec) {
      auto c = std::make_shared<connection>(*this, std::move(socket));
      connections_.emplace(c.get(), c);
      accepted.fetch_add(1, std::memory_order_relaxed);
      open.fetch_add(1, std::memory_order_relaxed);
      notify();
      c->start();
    }
    do_accept();  // also after cancel(): stop_accepting takes effect at once
  });
}

void gate_impl::tick() {
  if (stopping_)
    return;
  if (close_point.fired())
    close_all();
  // A pending accept would take one more connection after accepting was stopped: withdraw it.
  if (accept_point.armed())
    withdraw_accept();
  tick_.expires_after(k_recheck);
  tick_.async_wait([this](const error_code& ec) {
    if (!ec)
      tick();
  });
}

void gate_impl::close_all() {
  std::vector<std::shared_ptr<connection>> all;
  for (const auto& entry : connections_)
    all.push_back(entry.second);
  for (const auto& c : all)
    c->close();
}

void gate_impl::connection_closed(connection* c) {
  if (connections_.erase(c) != 0) {
    open.fetch_sub(1, std::memory_order_relaxed);
    notify();
  }
}

void gate_impl::post_and_wait(std::function<void()> fn) {
  // Held while waiting, so that stop() cannot end the io thread before `fn` ran.
  std::lock_guard<std::mutex> lock(life_mutex_);
  if (!thread_.joinable())
    return;
  std::promise<void> done;
  asio::post(io, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void gate_impl::stop() {
  std::lock_guard<std::mutex> lock(life_mutex_);
  if (!thread_.joinable())
    return;
  asio::post(io, [this] {
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    accept_wait_.cancel();
    tick_.cancel();
    close_all();
  });
  thread_.join();
  std::lock_guard<std::mutex> names_lock(names_mutex());
  running_names().erase(name);
}

}  // namespace gate_internal

// --- the public API ---

using gate_internal::behaviour;

void tcp_gate::direction::pass() const {
  for (const auto& b : gate_internal::k_behaviours)
    failpoint::disable(prefix_ + b.suffix);
}
void tcp_gate::direction::no_read() const {
  failpoint::enable(prefix_ + "no_read", "return");
}
void tcp_gate::direction::hold() const {
  failpoint::enable(prefix_ + "hold", "return");
}
void tcp_gate::direction::drop() const {
  failpoint::enable(prefix_ + "drop", "return");
}
void tcp_gate::direction::delay(std::chrono::milliseconds ms) const {
  failpoint::enable(prefix_ + "delay", fmt::format("return({})", ms.count()));
}
void tcp_gate::direction::close_on_data() const {
  failpoint::enable(prefix_ + "close_on_data", "return");
}
void tcp_gate::direction::corrupt(std::int64_t seed) const {
  failpoint::enable(prefix_ + "corrupt", fmt::format("return({})", seed));
}
void tcp_gate::direction::limit_bandwidth(std::int64_t bytes_per_second) const {
  failpoint::enable(prefix_ + "limit_bandwidth", fmt::format("return({})", bytes_per_second));
}
void tcp_gate::direction::close_after_bytes(std::int64_t bytes) const {
  failpoint::enable(prefix_ + "close_after_bytes", fmt::format("return({})", bytes));
}
void tcp_gate::direction::close_after(std::chrono::milliseconds ms) const {
  failpoint::enable(prefix_ + "close_after", fmt::format("return({})", ms.count()));
}
void tcp_gate::direction::slice(std::int64_t bytes) const {
  failpoint::enable(prefix_ + "slice", fmt::format("return({})", bytes));
}
void tcp_gate::direction::concat(std::int64_t bytes) const {
  failpoint::enable(prefix_ + "concat", fmt::format("return({})", bytes));
}
void tcp_gate::direction::substitute(std::string_view from, std::string_view to) const {
  if (from.empty() || from.find(gate_internal::k_substitute_separator) != std::string_view::npos)
    throw std::invalid_argument(
        "substitute: the bytes to replace must be non-empty and must not contain \"->\"");
  std::string rule(from);
  rule += gate_internal::k_substitute_separator;
  rule += to;
  failpoint::enable(prefix_ + "substitute", fmt::format("return({})", gate_internal::quoted(rule)));
}

tcp_gate::tcp_gate(std::string_view name, std::string_view upstream, std::string_view listen)
    : impl_(std::make_unique<gate_internal::gate_impl>(name, upstream, listen)) {}

tcp_gate::~tcp_gate() = default;

std::string tcp_gate::address() const {
  return impl_->address;
}
std::uint16_t tcp_gate::port() const {
  return impl_->port;
}
const std::string& tcp_gate::name() const {
  return impl_->name;
}
tcp_gate::direction tcp_gate::to_server() const {
  return direction(impl_->prefix + "to_server.");
}
tcp_gate::direction tcp_gate::to_client() const {
  return direction(impl_->prefix + "to_client.");
}

void tcp_gate::stop_accepting() {
  failpoint::enable(impl_->accept_point.name(), "return");
  // Withdraw an accept already in flight now rather than at the next tick.
  impl_->post_and_wait([this] { impl_->withdraw_accept(); });
}
void tcp_gate::start_accepting() {
  failpoint::disable(impl_->accept_point.name());
}
void tcp_gate::close_connections() {
  impl_->post_and_wait([this] { impl_->close_all(); });
}
void tcp_gate::reset() {
  to_server().pass();
  to_client().pass();
  failpoint::disable(impl_->accept_point.name());
  failpoint::disable(impl_->close_point.name());
}

gate_counters tcp_gate::counters() const {
  gate_counters c;
  c.accepted = impl_->accepted.load(std::memory_order_relaxed);
  c.open = impl_->open.load(std::memory_order_relaxed);
  c.to_server_bytes = impl_->to_server_bytes.load(std::memory_order_relaxed);
  c.to_client_bytes = impl_->to_client_bytes.load(std::memory_order_relaxed);
  c.to_server_writes = impl_->to_server_writes.load(std::memory_order_relaxed);
  c.to_client_writes = impl_->to_client_writes.load(std::memory_order_relaxed);
  return c;
}
void tcp_gate::reset_counters() {
  impl_->accepted.store(0);
  impl_->to_server_bytes.store(0);
  impl_->to_client_bytes.store(0);
  impl_->to_server_writes.store(0);
  impl_->to_client_writes.store(0);
}
bool tcp_gate::wait_for_connections(std::uint64_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait_until([&] { return impl_->open.load() >= n; }, timeout);
}
bool tcp_gate::wait_for_accepted(std::uint64_t n, std::chrono::milliseconds timeout) const {
  return impl_->wait_until([&] { return impl_->accepted.load() >= n; }, timeout);
}
void tcp_gate::stop() {
  impl_->stop();
}

}  // namespace failpoint
