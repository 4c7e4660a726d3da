// http-control/page/access.cpp: who may use the endpoint from a browser (see page.hpp).
#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/string.hpp>

#include "page/page.hpp"

namespace failpoint {
namespace http_internal {
namespace {

// Case-insensitive ASCII comparison (Beast's, which takes Boost's string_view).
bool iequals(std::string_view a, std::string_view b) noexcept {
  return boost::beast::iequals({a.data(), a.size()}, {b.data(), b.size()});
}

// The host part of a Host header: "127.0.0.1:4001" -> "127.0.0.1", "[::1]:4001" -> "::1".
std::string_view host_name(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') {
    const auto end = host.find(']');
    return end == std::string_view::npos ? std::string_view() : host.substr(1, end - 1);
  }
  return host.substr(0, host.find(':'));
}

}  // namespace

bool wants_html(std::string_view accept) noexcept {
  // As the JSON choice is made: a browser's navigation names text/html explicitly.
  return accept.find("text/html") != std::string_view::npos;
}

bool origin_allowed(std::string_view origin, std::string_view host, std::string_view fetch_site,
                    std::string_view accept) noexcept {
  if (origin.empty() && fetch_site.empty() && !wants_html(accept))
    return true;  // no browser, or a browser's same-origin GET (see page.hpp)
  const std::string name(host_name(host));
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  if (ec && !iequals(name, "localhost"))
    return false;  // a browser that reached the endpoint through some other name
  if (origin.empty())
    return true;  // a browser's navigation or same-origin GET
  constexpr std::string_view scheme = "http://";
  return origin.size() == scheme.size() + host.size() &&
         iequals(origin.substr(0, scheme.size()), scheme) &&
         iequals(origin.substr(scheme.size()), host);
}

std::optional<std::string> basic_password(std::string_view authorization) {
  constexpr std::string_view scheme = "basic ";
  if (authorization.size() < scheme.size() || !iequals(authorization.substr(0, 6), scheme))
    return std::nullopt;
  std::string_view encoded = authorization.substr(scheme.size());
  while (!encoded.empty() && encoded.front() == ' ')
    encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ')
    encoded.remove_suffix(1);
  namespace base64 = boost::beast::detail::base64;
  std::string decoded(base64::decoded_size(encoded.size()), '\0');
  const auto [written, read] = base64::decode(decoded.data(), encoded.data(), encoded.size());
  // Everything after what was decoded must be padding.
  if (encoded.substr(read).find_first_not_of('=') != std::string_view::npos)
    return std::nullopt;
  decoded.resize(written);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  return decoded.substr(colon + 1);
}

}  // namespace http_internal
}  // namespace failpoint
