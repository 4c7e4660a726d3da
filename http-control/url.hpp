// http-control/url.hpp: the small pieces of URL handling shared by the endpoint and failpointctl.
//
// Internal header (not installed): "host:port" splitting, percent-decoding of request targets
// and percent-encoding of failpoint names. Header-only so that the endpoint library and the
// failpointctl executable use the same code without another library.
#ifndef FAILPOINT_HTTP_CONTROL_URL_HPP
#define FAILPOINT_HTTP_CONTROL_URL_HPP

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

inline int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes ('+' stays '+': this is a path, not a form). nullopt on a bad escape.
inline std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size())
      return std::nullopt;  // "%" or "%X" at the end
    const int hi = hex_digit(in[i + 1]);
    const int lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Encodes a failpoint name for a request path: unreserved characters and '/' stay, every other
// byte becomes %XX. The endpoint decodes it back to the same name.
inline std::string percent_encode_name(std::string_view name) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ':';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_URL_HPP
