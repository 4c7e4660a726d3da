// http-control/url.hpp: the URL handling shared by the endpoint and failpointctl.
//
// Internal header (not installed), of the static library failpoint_http_url: "host:port"
// splitting, percent-decoding of request targets and percent-encoding of failpoint names
// (percent-coding and query splitting by uriparser). It needs no failpoint runtime, so that
// failpointctl links it without loading the runtime.
#ifndef FAILPOINT_HTTP_CONTROL_URL_HPP
#define FAILPOINT_HTTP_CONTROL_URL_HPP

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.hpp"

namespace failpoint {
namespace http_internal {

// A "host:port" split in two; an IPv6 host is written "[::1]:port" and returned without brackets.
struct host_port {
  std::string host;
  std::string port;
};

// Splits "host:port" (also "[v6]:port"). Fails, naming the input and what was expected, when
// there is no port, the port is not a number in 0..65535, or the host is empty.
result<host_port> split_host_port(std::string_view text);

// Joins a host and a port into "host:port", bracketing IPv6 hosts.
std::string join_host_port(const std::string& host, unsigned port);

// A request target (origin form, "/path?query") split and percent-decoded by uriparser.
struct request_target {
  std::string path;  // decoded, without the leading '/'; may hold any byte ("%00" too)
  std::vector<std::pair<std::string, std::string>> query;  // decoded; '+' stays '+'
};

// Parses an origin-form request target with uriparser (RFC 3986). Fails (400, with the byte
// position) when it is not a path starting with '/' or is not a valid URI reference (a bad
// percent-escape, a character that must be escaped...).
result<request_target> parse_request_target(std::string_view target);

// Encodes a failpoint name for a request path (uriparser): every byte but the unreserved ones
// becomes %XX. The endpoint decodes it back to the same name.
std::string percent_encode_name(std::string_view name);

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_URL_HPP
