// http-control/url.hpp: the small pieces of URL handling shared by the endpoint and failpointctl.
//
// Internal header (not installed): "host:port" splitting, percent-decoding of request targets
// and percent-encoding of failpoint names (percent-coding and query splitting by uriparser).
// Header-only so that the endpoint library and the failpointctl executable use the same code
// without another library.
#ifndef FAILPOINT_HTTP_CONTROL_URL_HPP
#define FAILPOINT_HTTP_CONTROL_URL_HPP

#include <uriparser/Uri.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace failpoint {
namespace detail {

// A "host:port" split in two; an IPv6 host is written "[::1]:port" and returned without brackets.
struct host_port {
  std::string host;
  std::string port;
};

// Splits "host:port" (also "[v6]:port"). Throws std::invalid_argument naming the input and what
// was expected when there is no port, the port is not a number in 0..65535, or the host is empty.
inline host_port split_host_port(std::string_view text) {
  const auto fail = [&](const char* why) {
    throw std::invalid_argument("\"" + std::string(text) + "\": " + why +
                                "; expected host:port, e.g. 127.0.0.1:0");
  };
  host_port out;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      fail("unterminated '[' in an IPv6 address");
    out.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':')
      fail("no port after the IPv6 address");
    rest.remove_prefix(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      fail("no port");
    out.host = std::string(text.substr(0, colon));
    rest = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos)
      fail("an IPv6 address must be in brackets");
  }
  if (out.host.empty())
    fail("empty host");
  if (rest.empty() || rest.size() > 5)
    fail("the port must be a number from 0 to 65535");
  unsigned long port = 0;
  for (char c : rest) {
    if (c < '0' || c > '9')
      fail("the port must be a number from 0 to 65535");
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535)
    fail("the port must be a number from 0 to 65535");
  out.port = std::string(rest);
  return out;
}

// Joins a host and a port into "host:port", bracketing IPv6 hosts.
inline std::string join_host_port(const std::string& host, unsigned port) {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// A request target (origin form, "/path?query") split and percent-decoded by uriparser.
struct request_target {
  std::string path;  // decoded, without the leading '/'; may hold any byte ("%00" too)
  std::vector<std::pair<std::string, std::string>> query;  // decoded; '+' stays '+'
};

// Parses an origin-form request target with uriparser (RFC 3986). Returns nullopt and sets
// `error` to the reason (with the byte position) when it is not a path starting with '/' or is
// not a valid URI reference (a bad percent-escape, a character that must be escaped...).
inline std::optional<request_target> parse_request_target(std::string_view target,
                                                          std::string& error) {
  if (target.empty() || target.front() != '/') {
    error = "request target must be a path starting with '/'";
    return std::nullopt;
  }
  UriUriA uri;
  const char* error_pos = nullptr;
  const char* first = target.data();
  const char* last = target.data() + target.size();
  if (uriParseSingleUriExA(&uri, first, last, &error_pos) != URI_SUCCESS) {
    const auto at = error_pos != nullptr ? static_cast<std::size_t>(error_pos - first) : 0;
    error = "malformed request target at byte " + std::to_string(at) +
            " (a bad percent-escape, or a character that must be percent-encoded)";
    return std::nullopt;
  }
  struct uri_guard {
    UriUriA* u;
    ~uri_guard() { uriFreeUriMembersA(u); }
  } guard{&uri};
  if (uri.scheme.first != nullptr || uri.hostText.first != nullptr) {
    error = "request target must be a path starting with '/', not an absolute URI";
    return std::nullopt;
  }
  // The path is everything before '?' (or '#'); uriparser validated its escapes.
  const char* path_end = last;
  if (uri.query.first != nullptr) {
    path_end = uri.query.first - 1;
  } else if (uri.fragment.first != nullptr) {
    path_end = uri.fragment.first - 1;
  }
  request_target out;
  std::string path(first + 1, path_end);
  path.push_back('\0');
  const char* end = uriUnescapeInPlaceExA(&path[0], URI_FALSE, URI_BR_DONT_TOUCH);
  path.resize(static_cast<std::size_t>(end - path.data()));
  out.path = std::move(path);
  if (uri.query.first != nullptr && uri.query.first != uri.query.afterLast) {
    UriQueryListA* list = nullptr;
    int count = 0;
    if (uriDissectQueryMallocExA(&list, &count, uri.query.first, uri.query.afterLast, URI_FALSE,
                                 URI_BR_DONT_TOUCH) != URI_SUCCESS) {
      error = "malformed query string";
      return std::nullopt;
    }
    for (const UriQueryListA* q = list; q != nullptr; q = q->next)
      out.query.emplace_back(q->key != nullptr ? q->key : "", q->value != nullptr ? q->value : "");
    uriFreeQueryListA(list);
  }
  return out;
}

// Encodes a failpoint name for a request path (uriparser): every byte but the unreserved ones
// becomes %XX. The endpoint decodes it back to the same name.
inline std::string percent_encode_name(std::string_view name) {
  std::string out(name.size() * 6 + 1, '\0');
  const char* end =
      uriEscapeExA(name.data(), name.data() + name.size(), &out[0], URI_FALSE, URI_FALSE);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_URL_HPP
