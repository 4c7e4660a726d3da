// http-control/ctl/endpoints.hpp: the endpoints failpointctl talks to, expanded from what the
// user gave: `host:port` as is, `dns:NAME:PORT` to every address NAME resolves to (a Kubernetes
// headless service resolves to every ready pod), and files holding one of these per line.
#ifndef FAILPOINT_HTTP_CONTROL_CTL_ENDPOINTS_HPP
#define FAILPOINT_HTTP_CONTROL_CTL_ENDPOINTS_HPP

#include <string>
#include <vector>

namespace failpoint {
namespace ctl {

// The prefix of an endpoint that names a DNS name rather than one host.
inline constexpr const char* k_dns_prefix = "dns:";

// How `dns:` names are resolved.
struct resolver_options {
  // Empty: the system's resolver (Asio's, i.e. getaddrinfo: /etc/hosts, DNS). Otherwise a file in
  // /etc/hosts format ("ADDRESS NAME [ALIAS...]" lines, `#` comments) that alone answers, so a
  // test can put several loopback addresses behind one name without touching the machine's.
  std::string hosts_file;
};

// What expand_endpoints() produced: the endpoints ("host:port", "[v6]:port"), in the order given
// (a name's addresses sorted, duplicates dropped), or an error naming the input that was wrong.
struct expansion {
  std::vector<std::string> endpoints;
  std::string error;
};

// Expands `specs` (from --endpoint) and then every line of each file in `files` (blank lines and
// `#` comments skipped; an error names FILE:LINE). A `dns:NAME:PORT` that resolves to no address
// is an error. Blocks while resolving; thread-safe.
expansion expand_endpoints(const std::vector<std::string>& specs,
                           const std::vector<std::string>& files, const resolver_options& options);

}  // namespace ctl
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_CTL_ENDPOINTS_HPP
