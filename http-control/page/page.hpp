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

// Whether a request may be served, given its Origin, Host, Sec-Fetch-Site and Accept headers.
// A request that looks like a browser's (it has an Origin, a Sec-Fetch-Site, or asks for HTML)
// must name the endpoint by an IP address or `localhost` in Host, and its Origin, when it has
// one, must be the endpoint itself (`http://` + Host). So a page of another site is refused
// even when the browser holds the endpoint's credentials, and so is the page, and every change,
// reached through a name re-pointed at the endpoint's address (DNS rebinding: the browser then
// takes the attacker's page and the endpoint for one origin). Other requests (curl,
// failpointctl) are not checked. Limit: a browser's same-origin GET of the JSON list sends none
// of these headers over plain HTTP, so without a token a rebinding page could read the list
// (never change it); with a token it has no credentials for its name. No CORS header is sent.
bool origin_allowed(std::string_view origin, std::string_view host, std::string_view fetch_site,
                    std::string_view accept) noexcept;

// The password of `Authorization: Basic base64(user:password)`, which a browser sends once the
// user typed the endpoint's token as the password (any user name); nullopt for anything else.
std::optional<std::string> basic_password(std::string_view authorization);

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_PAGE_PAGE_HPP
