// bench/gate.cpp: what the TCP gate costs: throughput in 64 KiB chunks and the p50 round trip
// through a gate with every behaviour off, against a direct loopback connection (and socat when
// --socat names it), and the cost of a live behaviour change. Prints a Markdown table.
//
// Usage: failpoint_bench_gate [--socat PATH] [--megabytes N] [--round-trips N] [--runs N]
#include "failpoint/gate.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>

#include "failpoint/control.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t k_chunk = 64 * 1024;  // the chunk size
constexpr std::size_t k_message = 32;       // bytes per round trip
constexpr char k_sink = 'S';                // first byte of a connection: read all, answer once
constexpr char k_echo = 'E';                // first byte: echo

// The upstream: a thread per connection; the first byte chooses sink or echo.
class upstream {
 public:
  upstream() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket s(io_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec)
          return;
        std::thread(serve, std::move(s)).detach();
      }
    });
  }
  ~upstream() {
    boost::system::error_code ec;
    acceptor_.cancel(ec);
    acceptor_.close(ec);
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.detach();  // blocked in accept until the process ends
  }
  std::string address() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  static void serve(tcp::socket s) {
    s.set_option(tcp::no_delay(true));
    std::vector<char> buffer(k_chunk);
    boost::system::error_code ec;
    char mode = 0;
    asio::read(s, asio::buffer(&mode, 1), ec);
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buffer), ec);
      if (ec)
        break;
      if (mode == k_echo)
        asio::write(s, asio::buffer(buffer.data(), n), ec);
    }
    if (mode == k_sink)
      asio::write(s, asio::buffer(&mode, 1), ec);  // "everything arrived"
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

tcp::socket connect(asio::io_context& io, const std::string& address, char mode) {
  const auto colon = address.rfind(':');
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address(address.substr(0, colon)),
                          static_cast<unsigned short>(std::stoi(address.substr(colon + 1)))));
  s.set_option(tcp::no_delay(true));
  asio::write(s, asio::buffer(&mode, 1));
  return s;
}

// MB/s (10^6 bytes) of `bytes` sent in 64 KiB writes until the receiver has them all.
double throughput(const std::string& address, std::size_t bytes) {
  asio::io_context io;
  tcp::socket s = connect(io, address, k_sink);
  const std::vector<char> chunk(k_chunk, 'x');
  const auto start = clock_type::now();
  for (std::size_t sent = 0; sent < bytes; sent += k_chunk)
    asio::write(s, asio::buffer(chunk));
  s.shutdown(tcp::socket::shutdown_send);
  char done = 0;
  asio::read(s, asio::buffer(&done, 1));
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return static_cast<double>(bytes) / seconds / 1e6;
}

// Round-trip times of `n` echoes of k_message bytes, in microseconds, sorted.
std::vector<double> round_trips(const std::string& address, int n) {
  asio::io_context io;
  tcp::socket s = connect(io, address, k_echo);
  std::vector<char> message(k_message, 'p'), back(k_message);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto start = clock_type::now();
    asio::write(s, asio::buffer(message));
    asio::read(s, asio::buffer(back));
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  return us;
}

double percentile(const std::vector<double>& sorted, double p) {
  return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
}

// socat forwarding a free port to `to`; killed when destroyed.
class socat_process {
 public:
  socat_process(const std::string& path, const std::string& to) {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = std::to_string(probe.local_endpoint().port());
    probe.close();
    address_ = "127.0.0.1:" + port;
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string listen = "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork";
      const std::string target = "TCP:" + to + ",nodelay";
      ::execl(path.c_str(), path.c_str(), listen.c_str(), target.c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {  // until it listens (at most 5 s)
      try {
        asio::io_context io2;
        tcp::socket s = connect(io2, address_, k_echo);
        return;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    throw std::runtime_error("socat did not start");
  }
  ~socat_process() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  const std::string& address() const { return address_; }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

struct result {
  std::string name;
  double mb_per_s = 0;  // best of the runs
  double p50 = 1e18;    // best p50 of the runs, us
  double p99 = 1e18;
};

void row(const char* what, const std::string& value, const std::string& notes) {
  std::printf("| %s | %s | %s |\n", what, value.c_str(), notes.c_str());
}

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"failpoint_bench_gate: the TCP gate against a direct loopback connection"};
  std::string socat;
  int megabytes = 256;
  int trips = 20000;
  int runs = 5;
  app.add_option("--socat", socat, "socat's path, to measure it side by side");
  app.add_option("--megabytes", megabytes, "bytes per throughput run, in MiB")
      ->check(CLI::PositiveNumber);
  app.add_option("--round-trips", trips, "round trips per latency run")->check(CLI::PositiveNumber);
  app.add_option("--runs", runs, "runs of each, interleaved; the best is kept")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);

  upstream server;
  failpoint::tcp_gate gate("bench", server.address());
  std::optional<socat_process> socat_proc;
  if (!socat.empty())
    socat_proc.emplace(socat, server.address());

  // "gate, copy path": one behaviour armed with `off` (no effect) makes the gate read and
  // write through its own buffers, as it does whenever a behaviour may act.
  const std::string copy_point = "gate.bench.to_server.slice";
  std::vector<std::pair<result, std::string>> targets = {{{"direct"}, server.address()},
                                                         {{"gate"}, gate.address()},
                                                         {{"gate, copy path"}, gate.address()}};
  if (socat_proc)
    targets.push_back({{"socat"}, socat_proc->address()});
  const std::size_t bytes = static_cast<std::size_t>(megabytes) * 1024 * 1024;
  for (int run = 0; run < runs; ++run) {
    for (auto& [r, address] : targets) {
      const bool copy = r.name == "gate, copy path";
      if (copy) {
        failpoint::enable(copy_point, "off");
        failpoint::enable("gate.bench.to_client.slice", "off");
      }
      r.mb_per_s = std::max(r.mb_per_s, throughput(address, bytes));
      const auto us = round_trips(address, trips);
      if (percentile(us, 0.5) < r.p50) {
        r.p50 = percentile(us, 0.5);
        r.p99 = percentile(us, 0.99);
      }
      if (copy)
        gate.reset();
    }
  }
  const result& direct = targets[0].first;
  const result& through = targets[1].first;

  // A live change: the time of one enable or disable of a gate failpoint while a stream flows
  // through the gate, and the throughput while another thread changes one 1000 times a second.
  const std::string point = "gate.bench.to_server.corrupt";
  std::atomic<bool> flowing{true};
  double toggled_mb_per_s = 0;
  std::vector<double> change_us;
  {
    std::thread stream([&] {
      while (flowing)
        toggled_mb_per_s = std::max(toggled_mb_per_s, throughput(gate.address(), bytes / 4));
    });
    for (int i = 0; i < 2000; ++i) {
      const auto start = clock_type::now();
      if (i % 2 == 0)
        failpoint::enable(point, "off");  // armed: checked and counted at every chunk, no effect
      else
        failpoint::disable(point);
      change_us.push_back(
          std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    flowing = false;
    stream.join();
    failpoint::disable(point);
  }
  std::sort(change_us.begin(), change_us.end());
  // Every per-chunk failpoint of both directions armed with `off`: the cost of checking them.
  for (const char* dir : {"to_server", "to_client"})
    for (const char* b :
         {"close_on_data", "close_after", "drop", "substitute", "corrupt", "close_after_bytes",
          "slice", "limit_bandwidth", "delay", "hold", "concat", "no_read"})
      failpoint::enable(std::string("gate.bench.") + dir + "." + b, "off");
  double armed_mb_per_s = 0;
  for (int run = 0; run < runs; ++run)
    armed_mb_per_s = std::max(armed_mb_per_s, throughput(gate.address(), bytes));
  gate.reset();

  std::printf("| case | value | notes |\n|---|---|---|\n");
  for (const auto& [r, address] : targets) {
    const std::string ratio = r.name == "direct"
                                  ? "baseline"
                                  : fixed(100.0 * r.mb_per_s / direct.mb_per_s, 1) + "% of direct";
    row(("throughput, " + r.name + ", 64 KiB writes").c_str(), fixed(r.mb_per_s, 0) + " MB/s",
        ratio + (r.name == "gate" ? " (target >= 80%)" : ""));
  }
  for (const auto& [r, address] : targets) {
    const double delta = r.p50 - direct.p50;
    const std::string added =
        r.name == "direct" ? "baseline"
                           : (delta >= 0 ? "+" : "") + fixed(delta, 1) + " us p50 against direct";
    row(("round trip, " + r.name + ", " + std::to_string(k_message) + " bytes").c_str(),
        "p50 " + fixed(r.p50, 1) + " us, p99 " + fixed(r.p99, 1) + " us",
        added + (r.name == "gate" ? " (target: added p50 < 50 us)" : ""));
  }
  row("one enable or disable of a gate failpoint, during a stream",
      "p50 " + fixed(percentile(change_us, 0.5), 1) + " us, p99 " +
          fixed(percentile(change_us, 0.99), 1) + " us",
      "2000 changes");
  row("throughput while a failpoint changes 1000 times a second",
      fixed(toggled_mb_per_s, 0) + " MB/s",
      fixed(100.0 * toggled_mb_per_s / through.mb_per_s, 1) + "% of the quiet gate");
  row("throughput, all 24 per-direction failpoints armed with `off`",
      fixed(armed_mb_per_s, 0) + " MB/s",
      fixed(100.0 * armed_mb_per_s / through.mb_per_s, 1) + "% of the quiet gate");
  std::printf("\n%d MiB per throughput run, %d round trips per latency run, best of %d runs.\n",
              megabytes, trips, runs);
  return 0;
}
