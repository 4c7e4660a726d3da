// http-control/page/page.hpp: the endpoint's page for browsers (GET / with Accept: text/html)
// and the checks that keep other sites from using the endpoint through a browser.
//
// Internal header. The page (page.html, compiled in by CMake) is self-contained: its script
// talks only to the endpoint that served it, with the credentials the browser sent for the page.
#ifndef FAILPOINT_HTTP_CONTROL_PAGE_PAGE_HPP
#define FAILPOINT_HTTP_CONTROL_PAGE_PAGE_HPP

#include <optional>
#include <string>
#include <string_view>

namespace failpoint {
namespace http_internal {

// The whole page: HTML with its style and script inline.
std::string_view page_html() noexcept;

// Headers sent with the page: nothing may be fetched from elsewhere or framed (clickjacking), and
// nothing cached.
inline constexpr std::string_view k_page_security_policy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'";

// Whether the Accept header asks for HTML (what a browser's navigation sends); curl's `*/*`
// and JSON clients do not.
bool wants_html(std::string_view accept) noexcept;

// Whether a request may be served, given its Origin and Host headers. No Origin (curl,
// failpointctl, a browser's same-origin navigation): yes. Otherwise the origin must be this
// endpoint itself, `http://` + Host, and Host must name it by an IP address or `localhost`: a
// page of another site is refused even when the browser holds the endpoint's credentials, and
// so is a name re-pointed at the endpoint's address (DNS rebinding). No CORS header is ever sent.
bool origin_allowed(std::string_view origin, std::string_view host) noexcept;

// The password of `Authorization: Basic base64(user:password)`, which a browser sends once the
// user typed the endpoint's token as the password (any user name); nullopt for anything else.
std::optional<std::string> basic_password(std::string_view authorization);

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_PAGE_PAGE_HPP
