// http-control/ctl/client.cpp: the blocking client (Beast over an io_context run to completion).
#include "client.hpp"

#include <memory>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include "url.hpp"

namespace failpoint {
namespace ctl {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Responses larger than this are refused (a list of thousands of failpoints fits).
constexpr std::uint64_t k_response_limit = 64 * 1024 * 1024;

std::string describe(const beast::error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout)
    return "timed out after " + std::to_string(timeout.count()) + " ms";
  if (ec == net::error::connection_refused)
    return "connection refused";
  return ec.message();
}

}  // namespace

std::string response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size())))
      return value;
  }
  return {};
}

response send(const std::string& endpoint, const request& req) {
  response out;
  const auto split = http_internal::split_host_port(endpoint);
  if (!split.ok()) {
    out.error = "bad endpoint " + split.error().message;
    return out;
  }
  const http_internal::host_port& hp = split.value();
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(req.method), req.target, 11};
  if (message.method() == bhttp::verb::unknown)
    message.method_string(req.method);
  message.set(bhttp::field::host, endpoint);
  message.set(bhttp::field::user_agent, "failpointctl");
  message.set(bhttp::field::connection, "close");
  if (!req.token.empty())
    message.set(bhttp::field::authorization, "Bearer " + req.token);
  for (const auto& [key, value] : req.headers)
    message.set(key, value);
  message.body() = req.body;
  message.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(k_response_limit);
  beast::error_code result;

  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  };
  // The steps chain through their handlers; ioc.run() returns when the last one has run.
  resolver.async_resolve(
      hp.host, hp.port, tcp::resolver::numeric_service,
      [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) {
          result = ec;
          return;
        }
        stream.expires_after(left());
        stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
          if (ec) {
            result = ec;
            return;
          }
          stream.expires_after(left());
          bhttp::async_write(stream, message, [&](beast::error_code ec, std::size_t) {
            if (ec) {
              result = ec;
              return;
            }
            stream.expires_after(left());
            bhttp::async_read(stream, buffer, parser,
                              [&](beast::error_code ec, std::size_t) { result = ec; });
          });
        });
      });
  ioc.run_for(req.timeout + std::chrono::seconds(1));
  if (result || !parser.is_done()) {
    out.error = describe(result ? result : beast::error::timeout, req.timeout);
    return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& field : res) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

}  // namespace ctl
}  // namespace failpoint
