// test/fuzz/http_fuzzer.cpp: libFuzzer target for the HTTP control endpoint's request handling:
// raw request bytes in, response bytes out, without a socket.
//
// The harness does what a session of http-control/server.cpp does with the bytes it reads: a
// Beast request_parser with the server's limits (64 KiB body, 8 KiB headers) takes the bytes,
// each complete request goes to route() (http-control/router.cpp, from the endpoint's internal
// library), a wait job runs with run_wait(), and the reply is serialized as a Beast response.
// Pipelined requests in one input are served one after the other, like a kept alive connection.
// Every input is served twice: without a token, and with the token "s3cret".
//
// Properties: nothing crashes or throws; no reply is a 500 (an internal error means an exception
// the router did not expect); every status is one the endpoint documents; with a token, a request
// without `Authorization: Bearer s3cret` gets 401 and changes no failpoint. The same input also
// goes to split_host_port (the FAILPOINTS_HTTP address parser) and parse_request_target.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "page/page.hpp"
#include "property.hpp"
#include "router.hpp"
#include "url.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using failpoint::http_internal::k_body_limit;
using failpoint::http_internal::k_header_limit;
// Bounds the work per input: at most this many pipelined requests are served.
constexpr int k_max_requests = 16;

using failpoint_fuzz::property_failed;

std::string all_terms() {
  std::string out;
  for (const auto& info : failpoint::list())
    out += info.name + "=" + info.terms + ";";
  return out;
}

bool documented(unsigned status) {
  switch (status) {
    case 200:
    case 204:
    case 400:
    case 401:
    case 403:  // the page, from another origin or through a rebound name
    case 404:
    case 405:
    case 408:
    case 413:
    case 431:
    case 503:
      return true;
    default:
      return false;
  }
}

// Serializes a reply as the server does (headers it sets, body except for 204).
std::string serialize(const failpoint::http_internal::control_reply& reply, unsigned version,
                      bool keep_alive) {
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(static_cast<bhttp::status>(reply.status));
  res.set(bhttp::field::server, "failpoint");
  if (!reply.allow.empty())
    res.set(bhttp::field::allow, reply.allow);
  if (reply.authenticate)
    res.set(bhttp::field::www_authenticate, "Bearer realm=\"failpoint\"");
  if (reply.status != 204) {
    res.set(bhttp::field::content_type, reply.content_type);
    res.body() = reply.body;
  }
  res.keep_alive(keep_alive);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
  return out.str();
}

void check_reply(const failpoint::http_internal::control_reply& reply, const std::string& request) {
  if (reply.status == 500)
    property_failed("internal error (500)", request + "\n-> " + reply.body);
  if (!documented(reply.status))
    property_failed("undocumented status", std::to_string(reply.status));
  if (reply.status != 204 && reply.body.empty())
    property_failed("a reply without a body", std::to_string(reply.status));
}

// Serves every request in `bytes` as one connection would.
void serve(std::string_view bytes, const std::string& token) {
  if (bytes.empty())
    return;
  beast::flat_buffer buffer;
  auto in = buffer.prepare(bytes.size());
  std::memcpy(in.data(), bytes.data(), bytes.size());
  buffer.commit(bytes.size());

  for (int served = 0; served < k_max_requests; ++served) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(k_body_limit);
    parser.header_limit(k_header_limit);
    beast::error_code ec;
    // Every round consumes input or ends: the whole input is what the client ever sends.
    while (!parser.is_done()) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        if (used == 0) {
          parser.put_eof(ec);  // the client closed: ends a body read until EOF, or errors
          if (ec || !parser.is_done())
            return;
        }
        continue;
      }
      if (ec)
        break;
      if (used == 0 && !parser.is_done())
        return;
    }
    failpoint::http_internal::control_reply reply;
    if (ec == bhttp::error::body_limit) {
      reply = failpoint::http_internal::body_too_large();
    } else if (ec == bhttp::error::header_limit) {
      reply = failpoint::http_internal::headers_too_large();
    } else if (ec) {
      return;  // the server answers 400 to a parse error and closes, or just closes
    } else {
      auto& req = parser.get();
      failpoint::http_internal::control_request cr;
      cr.method = std::string_view(req.method_string().data(), req.method_string().size());
      cr.target = std::string_view(req.target().data(), req.target().size());
      cr.body = req.body();
      auto authorization = req[bhttp::field::authorization];
      cr.authorization = std::string_view(authorization.data(), authorization.size());
      auto accept = req[bhttp::field::accept];
      cr.accept = std::string_view(accept.data(), accept.size());
      auto origin = req[bhttp::field::origin];
      cr.origin = std::string_view(origin.data(), origin.size());
      auto host = req[bhttp::field::host];
      cr.host = std::string_view(host.data(), host.size());
      auto fetch_site = req["Sec-Fetch-Site"];
      cr.fetch_site = std::string_view(fetch_site.data(), fetch_site.size());
      const bool origin_ok =
          failpoint::http_internal::origin_allowed(cr.origin, cr.host, cr.fetch_site, cr.accept);

      const std::string before = token.empty() && origin_ok ? std::string() : all_terms();
      reply = failpoint::http_internal::route(cr, token);
      std::ostringstream request_text;
      request_text << req;
      if (!reply.wait)
        check_reply(reply, request_text.str());
      if (reply.wait) {
        // Only waits with a timeout of at most 5 ms really wait; others see the endpoint
        // stopping (503), so that no input blocks the fuzzer.
        const bool quick = reply.wait->timeout && reply.wait->timeout->count() <= 5;
        reply = failpoint::http_internal::run_wait(*reply.wait, [quick] { return !quick; });
        check_reply(reply, request_text.str());
      }
      if (!origin_ok) {
        // A browser's request from another origin is refused before anything else.
        if (reply.status != 403)
          property_failed("another origin but not 403", request_text.str());
        if (all_terms() != before)
          property_failed("a request from another origin changed a failpoint", request_text.str());
      } else if (!token.empty() &&
                 !failpoint::http_internal::bearer_matches(cr.authorization, token)) {
        if (reply.status != 401)
          property_failed("no token but not 401", request_text.str());
        if (all_terms() != before)
          property_failed("a request without the token changed a failpoint", request_text.str());
      }
      const std::string response = serialize(reply, req.version(), req.keep_alive());
      if (response.rfind("HTTP/1.", 0) != 0)
        property_failed("malformed response", response);
      if (!req.keep_alive())
        return;
      continue;
    }
    check_reply(reply, "(limit)");
    serialize(reply, 11, false);
    return;
  }
}

}  // namespace

// Registered names for the routes to find (GET /a, PUT /b/c, /b/c/count...). Never called (the
// terms the fuzzer sets may panic); the sites register at startup all the same.
void fuzz_http_sites() {
  if (FAILPOINT("a")) {
  }
  if (auto fp = FAILPOINT_VALUE("b/c", int)) {
  }
  if (auto fp = FAILPOINT_VALUE("d", std::string)) {
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)failpoint::http_internal::split_host_port(bytes);
  (void)failpoint::http_internal::parse_request_target(bytes);

  failpoint::disable_all();
  serve(bytes, "");
  failpoint::disable_all();
  serve(bytes, "s3cret");
  return 0;
}
