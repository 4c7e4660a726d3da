// http-control/url.cpp: see url.hpp.
#include "url.hpp"

#include <uriparser/Uri.h>

namespace failpoint {
namespace http_internal {

// The longest port, "65535".
constexpr std::size_t k_max_port_digits = 5;
constexpr unsigned long k_max_port = 65535;

result<host_port> split_host_port(std::string_view text) {
  const auto fail = [&](const char* why) {
    return failure{
        400, "\"" + std::string(text) + "\": " + why + "; expected host:port, e.g. 127.0.0.1:0"};
  };
  constexpr const char* bad_port = "the port must be a number from 0 to 65535";
  host_port out;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return fail("unterminated '[' in an IPv6 address");
    out.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':')
      return fail("no port after the IPv6 address");
    rest.remove_prefix(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return fail("no port");
    out.host = std::string(text.substr(0, colon));
    rest = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos)
      return fail("an IPv6 address must be in brackets");
  }
  if (out.host.empty())
    return fail("empty host");
  if (rest.empty() || rest.size() > k_max_port_digits)
    return fail(bad_port);
  unsigned long port = 0;
  for (char c : rest) {
    if (c < '0' || c > '9')
      return fail(bad_port);
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > k_max_port)
    return fail(bad_port);
  out.port = std::string(rest);
  return out;
}

std::string join_host_port(const std::string& host, unsigned port) {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

result<request_target> parse_request_target(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return failure{400, "request target must be a path starting with '/'"};
  UriUriA uri;
  const char* error_pos = nullptr;
  const char* first = target.data();
  const char* last = target.data() + target.size();
  if (uriParseSingleUriExA(&uri, first, last, &error_pos) != URI_SUCCESS) {
    const auto at = error_pos != nullptr ? static_cast<std::size_t>(error_pos - first) : 0;
    return failure{400, "malformed request target at byte " + std::to_string(at) +
                            " (a bad percent-escape, or a character that must be "
                            "percent-encoded)"};
  }
  struct uri_guard {
    UriUriA* u;
    ~uri_guard() { uriFreeUriMembersA(u); }
  } guard{&uri};
  if (uri.scheme.first != nullptr || uri.hostText.first != nullptr)
    return failure{400, "request target must be a path starting with '/', not an absolute URI"};
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
      return failure{400, "malformed query string"};
    }
    for (const UriQueryListA* q = list; q != nullptr; q = q->next)
      out.query.emplace_back(q->key != nullptr ? q->key : "", q->value != nullptr ? q->value : "");
    uriFreeQueryListA(list);
  }
  return out;
}

std::string percent_encode_name(std::string_view name) {
  // uriEscapeExA writes at most six bytes per input byte (with line-break normalisation, which
  // is off here: three) and a terminating NUL.
  std::string out(name.size() * 6 + 1, '\0');
  const char* end =
      uriEscapeExA(name.data(), name.data() + name.size(), &out[0], URI_FALSE, URI_FALSE);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

}  // namespace http_internal
}  // namespace failpoint
