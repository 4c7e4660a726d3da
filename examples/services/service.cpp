// examples/services/service.cpp: the HTTP plumbing of foo, bar and baz (Boost.Beast).
#include "service.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace services {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Limits of what a service reads from a peer: these services only exchange short words.
constexpr std::size_t max_body = 64 * 1024;
constexpr std::size_t max_header = 8 * 1024;
// How long a client of a service may take to send its request.
constexpr std::chrono::seconds request_timeout{5};

unsigned long parse_number(const char* option, const char* text, unsigned long max) {
  unsigned long value = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || value > max) {
    std::fprintf(stderr, "%s: expected a number up to %lu, got \"%s\"\n", option, max, text);
    std::exit(2);
  }
  return value;
}

}  // namespace

config parse_command_line(int argc, char** argv) {
  config cfg;
  for (int i = 1; i < argc; ++i) {
    const char* option = argv[i];
    if (i + 1 == argc) {
      std::fprintf(stderr, "%s: missing value\n", option);
      std::exit(2);
    }
    const char* value = argv[++i];
    if (std::strcmp(option, "--port") == 0) {
      cfg.port = static_cast<unsigned short>(parse_number(option, value, 65535));
    } else if (std::strcmp(option, "--port-file") == 0) {
      cfg.port_file = value;
    } else if (std::strcmp(option, "--upstream") == 0) {
      cfg.upstream = static_cast<unsigned short>(parse_number(option, value, 65535));
    } else if (std::strcmp(option, "--timeout-ms") == 0) {
      cfg.timeout = std::chrono::milliseconds(parse_number(option, value, 600000));
    } else {
      std::fprintf(stderr,
                   "unknown option %s; expected --port, --port-file, --upstream, --timeout-ms\n",
                   option);
      std::exit(2);
    }
  }
  return cfg;
}

response get(unsigned short port, std::string_view target, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req(http::verb::get,
                                      beast::string_view(target.data(), target.size()), 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "close");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body);
  parser.header_limit(max_header);
  beast::error_code result;

  // Connect, write, read: one chain of asynchronous steps, all under one deadline.
  stream.expires_after(timeout);
  stream.async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), port), [&](beast::error_code ec) {
        if (ec) {
          result = ec;
          return;
        }
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
          if (ec) {
            result = ec;
            return;
          }
          http::async_read(stream, buffer, parser,
                           [&](beast::error_code ec, std::size_t) { result = ec; });
        });
      });
  ioc.run();
  if (result == beast::error::timeout)
    throw timeout_error("no answer from 127.0.0.1:" + std::to_string(port) + " within " +
                        std::to_string(timeout.count()) + " ms");
  if (result)
    throw connection_error("127.0.0.1:" + std::to_string(port) + ": " + result.message());
  return {static_cast<int>(parser.get().result_int()), parser.get().body()};
}

response injected(std::string_view fault) {
  if (fault == "refused")
    throw connection_error("injected: connection refused");
  if (fault == "timeout")
    throw timeout_error("injected: timed out");
  int status = 0;
  auto [ptr, ec] = std::from_chars(fault.data(), fault.data() + fault.size(), status);
  if (ec != std::errc() || ptr != fault.data() + fault.size() || status < 100 || status > 599)
    throw std::invalid_argument("unknown injected fault \"" + std::string(fault) +
                                "\"; expected \"refused\", \"timeout\" or a status");
  return {status, "injected " + std::string(fault) + "\n"};
}

namespace {

// One connection: read one request, answer it, close.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, const handler& handle)
      : stream_(std::move(socket)), handle_(handle) {}

  void start() {
    parser_.emplace();
    parser_->body_limit(max_body);
    parser_->header_limit(max_header);
    stream_.expires_after(request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;  // the client went away, sent garbage or was too slow: nothing to answer
    const auto& req = parser_->get();
    response r;
    if (req.method() != http::verb::get) {
      r = {405, "only GET\n"};
    } else {
      try {
        r = handle_(std::string(req.target()));
      } catch (const std::exception& e) {
        r = {500, std::string("unhandled error: ") + e.what() + "\n"};
      }
    }
    res_.result(static_cast<unsigned>(r.status));
    res_.version(11);
    res_.set(http::field::content_type, "text/plain");
    if (r.status == 405)
      res_.set(http::field::allow, "GET");
    res_.keep_alive(false);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    stream_.expires_after(request_timeout);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code, std::size_t) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  const handler& handle_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

void accept(tcp::acceptor& acceptor, const handler& handle) {
  acceptor.async_accept([&acceptor, &handle](beast::error_code ec, tcp::socket socket) {
    if (!ec)
      std::make_shared<session>(std::move(socket), handle)->start();
    if (acceptor.is_open())
      accept(acceptor, handle);
  });
}

}  // namespace

int serve(const char* name, const config& cfg, const handler& handle) {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc);
  beast::error_code ec;
  const tcp::endpoint where(net::ip::address_v4::loopback(), cfg.port);
  acceptor.open(where.protocol(), ec);
  if (!ec)
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(where, ec);
  if (!ec)
    acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u: %s\n", name, cfg.port,
                 ec.message().c_str());
    return 1;
  }
  const unsigned short port = acceptor.local_endpoint().port();
  if (!cfg.port_file.empty()) {
    // Written whole under another name, then renamed: a reader never sees half a number.
    const std::string tmp = cfg.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), cfg.port_file.c_str());
  }
  std::printf("%s: listening on 127.0.0.1:%u\n", name, port);
  std::fflush(stdout);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    acceptor.close();
    ioc.stop();
  });
  accept(acceptor, handle);
  ioc.run();
  return 0;
}

}  // namespace services
