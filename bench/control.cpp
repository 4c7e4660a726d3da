// bench/control.cpp: latency and throughput of the HTTP control endpoint over loopback, while
// two threads hit failpoints, with a bounded load generator (raw sockets, keep-alive HTTP/1.1).
//
// Usage: failpoint_bench_control [--requests N] [--connections C] [--seconds S] [--busy]
//                                [--json FILE]
//   N requests per route (default 20000) over C keep-alive connections (default 2), each a
//   closed loop (send, read the whole response, send the next); a route stops early after S
//   seconds (default 10). The endpoint listens on 127.0.0.1:0; nothing leaves the machine.
//   Two hitter threads evaluate `bench.control.hit` (enabled, return(1)) and a disabled site the
//   whole time: in bursts of 10000 hits with a 1 ms sleep between bursts (an application that
//   also does other work), or without pause with --busy.
// Routes: GET / (every failpoint, here 502 of them), PUT /bench.control.hit (re-enables the
// failpoint the hitters hit), GET /bench.control.hit/count.
// Prints one line per route and, with --json, writes the figures for scripts/bench.sh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <failpoint/control.hpp>
#include <failpoint/failpoint.hpp>
#include <failpoint/http.hpp>

#include "other_sites.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// The failpoint the hitter threads hit, and the terms PUT sets on it.
constexpr const char* hit_name = "bench.control.hit";
constexpr const char* hit_terms = "return(1)";
// A response larger than this is a bug in the endpoint or in this client.
constexpr std::size_t max_response_bytes = 4 * 1024 * 1024;

struct options {
  long requests = 20000;
  int connections = 2;
  double seconds = 10;
  bool busy = false;
  std::string json;
};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "failpoint_bench_control: %s\n", message.c_str());
  std::exit(1);
}

// --- Hitters ---

std::atomic<bool> hitters_stop{false};
std::atomic<std::uint64_t> hitter_hits{0};

void hitter(bool busy) {
  constexpr int burst = 10000;
  std::uint64_t fired = 0;
  while (!hitters_stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < burst; ++i) {
      if (auto fp = FAILPOINT_VALUE("bench.control.hit", int))
        fired += static_cast<std::uint64_t>(*fp);
      if (FAILPOINT("bench.control.disabled"))
        fired += 1000000;
    }
    hitter_hits.fetch_add(burst, std::memory_order_relaxed);
    if (!busy)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (fired > hitter_hits.load())
    fail("the disabled failpoint fired");
}

// --- A minimal keep-alive HTTP/1.1 client over a blocking socket ---

class connection {
 public:
  explicit connection(const sockaddr_in& addr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
      fail(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      fail(std::string("connect: ") + std::strerror(errno));
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  // Sends `request` and reads the whole response; returns its status, sets `closed` when the
  // server ends the connection after it.
  int exchange(const std::string& request, bool& closed) {
    send_all(request);
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos)
      read_more();
    const std::string head = buffer_.substr(0, header_end + 2);
    if (head.compare(0, 9, "HTTP/1.1 ") != 0)
      fail("not an HTTP/1.1 response: " + head.substr(0, 40));
    const int status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t length = 0;
    const auto at = lower.find("\r\ncontent-length:");
    if (at != std::string::npos)
      length = std::strtoul(lower.c_str() + at + 17, nullptr, 10);
    closed = lower.find("\r\nconnection: close") != std::string::npos;
    if (length > max_response_bytes)
      fail("response too large");
    while (buffer_.size() < header_end + 4 + length)
      read_more();
    last_body_ = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return status;
  }

  const std::string& last_body() const { return last_body_; }

 private:
  void send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        fail(std::string("send: ") + std::strerror(errno));
      sent += static_cast<std::size_t>(n);
    }
  }

  void read_more() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0)
      fail(n == 0 ? "the server closed the connection" : std::string("recv: ") + strerror(errno));
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (buffer_.size() > max_response_bytes)
      fail("response too large");
  }

  int fd_ = -1;
  std::string buffer_;
  std::string last_body_;
};

// --- One route under load ---

struct route {
  const char* label;
  std::string request;
  int expected_status;
};

struct route_result {
  std::string label;
  long requests = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  double hits_per_s = 0;  // hitter failpoint evaluations per second meanwhile
};

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

route_result run_route(const route& r, const sockaddr_in& addr, const options& opt) {
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(opt.connections));
  std::atomic<long> next{0};
  const auto deadline = clock_type::now() + std::chrono::duration<double>(opt.seconds);
  const std::uint64_t hits_before = hitter_hits.load();
  const auto start = clock_type::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < opt.connections; ++c) {
    clients.emplace_back([&, c] {
      auto& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(static_cast<std::size_t>(opt.requests));
      auto conn = std::make_unique<connection>(addr);
      while (next.fetch_add(1) < opt.requests && clock_type::now() < deadline) {
        bool closed = false;
        const auto t0 = clock_type::now();
        const int status = conn->exchange(r.request, closed);
        const auto t1 = clock_type::now();
        if (status != r.expected_status)
          fail(std::string(r.label) + ": status " + std::to_string(status) + ", expected " +
               std::to_string(r.expected_status) + ": " + conn->last_body());
        mine.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (closed)
          conn = std::make_unique<connection>(addr);
      }
    });
  }
  for (auto& t : clients)
    t.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  route_result out;
  out.label = r.label;
  out.requests = static_cast<long>(all.size());
  out.seconds = seconds;
  out.p50_us = percentile(all, 0.50);
  out.p99_us = percentile(all, 0.99);
  out.max_us = all.empty() ? 0 : all.back();
  out.hits_per_s = static_cast<double>(hitter_hits.load() - hits_before) / seconds;
  return out;
}

options parse_options(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--requests") {
      opt.requests = std::atol(value().c_str());
    } else if (arg == "--connections") {
      opt.connections = std::atoi(value().c_str());
    } else if (arg == "--seconds") {
      opt.seconds = std::atof(value().c_str());
    } else if (arg == "--busy") {
      opt.busy = true;
    } else if (arg == "--json") {
      opt.json = value();
    } else {
      fail("unknown option " + arg);
    }
  }
  // Bounds: this is a benchmark, not a load test.
  if (opt.requests < 1 || opt.requests > 1000000 || opt.connections < 1 || opt.connections > 16 ||
      opt.seconds <= 0 || opt.seconds > 60)
    fail("--requests 1..1000000, --connections 1..16, --seconds up to 60");
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  const options opt = parse_options(argc, argv);
  if (failpoint_bench::hit_other_sites() != 0)
    fail("other failpoints are on (FAILPOINTS set?)");
  failpoint::enable(hit_name, hit_terms);

  const std::string address = failpoint::http::start("127.0.0.1:0");
  const auto colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1)
    fail("cannot parse the endpoint's address " + address);

  std::vector<std::thread> hitters;
  for (int i = 0; i < 2; ++i)
    hitters.emplace_back(hitter, opt.busy);

  const std::string host = "Host: " + address + "\r\n";
  const std::string put_body = hit_terms;
  const std::vector<route> routes = {
      {"GET /", "GET / HTTP/1.1\r\n" + host + "\r\n", 200},
      {"PUT /NAME",
       std::string("PUT /") + hit_name + " HTTP/1.1\r\n" + host +
           "Content-Length: " + std::to_string(put_body.size()) + "\r\n\r\n" + put_body,
       204},
      {"GET /NAME/count", std::string("GET /") + hit_name + "/count HTTP/1.1\r\n" + host + "\r\n",
       200},
  };
  std::vector<route_result> results;
  for (const auto& r : routes)
    results.push_back(run_route(r, addr, opt));

  hitters_stop.store(true);
  for (auto& t : hitters)
    t.join();
  failpoint::http::stop();

  const char* mode = opt.busy ? "busy" : "bursts";
  for (const auto& r : results)
    std::printf(
        "%-16s %7ld requests in %5.2f s: %8.0f req/s, p50 %7.1f us, p99 %7.1f us, "
        "max %8.1f us; hitters (%s) %.3g hits/s\n",
        r.label.c_str(), r.requests, r.seconds, static_cast<double>(r.requests) / r.seconds,
        r.p50_us, r.p99_us, r.max_us, mode, r.hits_per_s);
  if (!opt.json.empty()) {
    std::ofstream out(opt.json);
    out << "{\"hitters\": \"" << mode << "\", \"connections\": " << opt.connections
        << ", \"routes\": [";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      out << (i ? ", " : "") << "{\"route\": \"" << r.label << "\", \"requests\": " << r.requests
          << ", \"seconds\": " << r.seconds
          << ", \"requests_per_s\": " << static_cast<double>(r.requests) / r.seconds
          << ", \"p50_us\": " << r.p50_us << ", \"p99_us\": " << r.p99_us
          << ", \"max_us\": " << r.max_us << ", \"hitter_hits_per_s\": " << r.hits_per_s << "}";
    }
    out << "]}\n";
    if (!out)
      fail("cannot write " + opt.json);
  }
  return 0;
}
