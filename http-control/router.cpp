// http-control/router.cpp: the control API's routes (the table is routes(), below).
#include "router.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "failpoint/control.hpp"

#include "page/page.hpp"

namespace failpoint {
namespace http_internal {
namespace {

// The path of the batch routes, matched in any case as gofail does: a failpoint named
// `failpoints` in any case cannot be controlled through /NAME.
constexpr std::string_view k_batch_path = "failpoints";

bool is_batch_path(std::string_view path) {
  return std::equal(
      path.begin(), path.end(), k_batch_path.begin(), k_batch_path.end(),
      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// Digits of the largest number a query parameter may have: every 19-digit number fits in 64 bits.
constexpr std::size_t k_max_number_digits = 19;

control_reply text_reply(unsigned status, std::string body) {
  control_reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

control_reply no_content() {
  return text_reply(204, {});
}

control_reply method_not_allowed(std::string_view method, std::string allow) {
  control_reply r = text_reply(
      405, "method " + std::string(method) + " is not allowed here; allowed: " + allow + "\n");
  r.allow = std::move(allow);
  return r;
}

// 404 for a name no site has, with the closest registered names (the runtime's wording).
failure unknown_name(std::string_view name, const std::vector<std::string>& suggestions) {
  return {404, failpoint::unknown_failpoint(std::string(name), suggestions).what()};
}

failure unknown_name(std::string_view name) {
  return unknown_name(name, failpoint::closest_names(name));
}

// Runs a call of failpoint/control.hpp that reports bad input by throwing, and turns what it
// throws into a failure: config_error is 400 (its message names the byte position),
// unknown_failpoint is `unknown_status` with the closest names.
template <class F>
std::optional<failure> call_control(F&& f, unsigned unknown_status) {
  try {
    f();
    return std::nullopt;
  } catch (const failpoint::config_error& e) {
    return failure{400, e.what()};
  } catch (const failpoint::unknown_failpoint& e) {
    failure error = unknown_name(e.name(), e.suggestions());
    error.status = unknown_status;
    return error;
  }
}

// The value of `key` in a decoded query; nullopt when absent.
std::optional<std::string> query_value(const request_target& target, std::string_view key) {
  for (const auto& [k, v] : target.query) {
    if (k == key)
      return v;
  }
  return std::nullopt;
}

// The query parameter `key`=`text` as a decimal number without sign.
result<std::uint64_t> parse_number(std::string_view key, const std::string& text) {
  const failure bad{400, std::string(key) + "=" + text + ": expected a non-negative integer"};
  if (text.empty() || text.size() > k_max_number_digits)
    return bad;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return bad;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// GET / : `name=terms` lines, or JSON with ?format=json or Accept: application/json.
// The page a browser gets for GET / (Accept: text/html).
control_reply page_reply() {
  control_reply r;
  r.body = std::string(http_internal::page_html());
  r.content_type = "text/html; charset=utf-8";
  r.headers = {{"Content-Security-Policy", std::string(http_internal::k_page_security_policy)},
               {"Cache-Control", "no-store"},
               {"X-Content-Type-Options", "nosniff"}};
  return r;
}

control_reply serve_list(const route_input& in) {
  bool json = in.request.accept.find("application/json") != std::string_view::npos;
  if (const auto format = query_value(in.target, "format")) {
    if (*format != "json" && *format != "text")
      return failure_reply({400, "format=" + *format + ": expected json or text"});
    json = *format == "json";
  } else if (!json && http_internal::wants_html(in.request.accept)) {
    return page_reply();
  }
  const std::vector<failpoint::failpoint_info> all = failpoint::list();
  control_reply r;
  if (!json) {
    for (const auto& info : all)
      r.body += info.name + "=" + info.terms + "\n";
    return r;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& info : all) {
    nlohmann::json sites = nlohmann::json::array();
    for (const auto& s : info.sites)
      sites.push_back(s.file + ":" + std::to_string(s.line));
    out.push_back({{"name", info.name},
                   {"terms", info.terms},
                   {"active", info.active},
                   {"count", info.count},
                   {"mismatches", info.mismatches},
                   {"type", info.type},
                   {"sites", std::move(sites)}});
  }
  r.body = out.dump(2) + "\n";
  r.content_type = "application/json";
  return r;
}

// GET /NAME: its terms.
control_reply serve_terms(const route_input& in) {
  const auto info = failpoint::status(in.name);
  if (!info)
    return failure_reply(unknown_name(in.name));
  if (info->terms.empty())
    return failure_reply({404, "failpoint \"" + in.name + "\" is disabled"});
  return text_reply(200, info->terms + "\n");  // a line, as gofail answers
}

// PUT /NAME: enable with the body's terms.
control_reply serve_enable(const route_input& in) {
  if (!failpoint::status(in.name))
    return failure_reply(unknown_name(in.name));
  if (auto error = call_control([&] { failpoint::enable(in.name, in.request.body); }, 404))
    return failure_reply(*error);
  return no_content();
}

// DELETE /NAME
control_reply serve_disable(const route_input& in) {
  if (!failpoint::disable(in.name))
    return failure_reply(unknown_name(in.name));
  return no_content();
}

// GET /NAME/count
control_reply serve_count(const route_input& in) {
  const auto info = failpoint::status(in.name);
  if (!info)
    return failure_reply(unknown_name(in.name));
  return text_reply(200, std::to_string(info->count));
}

// The parameters of GET /NAME/wait?count=N[&timeout_ms=T].
result<wait_job> wait_job_of(const route_input& in) {
  const auto count_text = query_value(in.target, "count");
  if (!count_text)
    return failure{400, "missing query parameter count=N"};
  const auto count = parse_number("count", *count_text);
  if (!count.ok())
    return count.error();
  wait_job job;
  job.name = in.name;
  job.count = count.value();
  if (const auto timeout_text = query_value(in.target, "timeout_ms")) {
    const auto ms = parse_number("timeout_ms", *timeout_text);
    if (!ms.ok())
      return ms.error();
    const auto max = static_cast<std::uint64_t>(k_max_wait.count());
    job.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ms.value(), max)));
  }
  return job;
}

// GET /NAME/wait: a job for run_wait().
control_reply serve_wait(const route_input& in) {
  auto job = wait_job_of(in);
  if (!job.ok())
    return failure_reply(job.error());
  if (!failpoint::status(in.name))
    return failure_reply(unknown_name(in.name));
  control_reply r;
  r.wait = std::move(job.value());
  return r;
}

// PUT /failpoints: a FAILPOINTS specification, all or nothing.
control_reply serve_apply(const route_input& in) {
  if (auto error = call_control([&] { failpoint::apply(in.request.body, false); }, 400))
    return failure_reply(*error);
  return no_content();
}

// DELETE /failpoints
control_reply serve_reset(const route_input&) {
  failpoint::disable_all();
  return no_content();
}

// The control API, the one table the router dispatches from. Statuses of every route: 401
// without the token when one is set; 400 for a malformed target; 405 (with `Allow`) for a method
// the path does not take.
constexpr route_spec k_routes[] = {
    // 200 `name=terms` lines (or JSON); 400 for a `format` other than json or text.
    {"GET", "/", resource::list, false, serve_list},
    // 200 the terms and a newline; 404 unknown (with the closest names) or disabled.
    {"GET", "/NAME", resource::name, false, serve_terms},
    // 204 applied; 400 bad terms (with the byte position); 404 unknown.
    {"PUT", "/NAME", resource::name, true, serve_enable},
    // 204 disabled; 404 unknown.
    {"DELETE", "/NAME", resource::name, true, serve_disable},
    // 200 runs since enabled; 404 unknown.
    {"GET", "/NAME/count", resource::count, false, serve_count},
    // 200 once reached; 408 on timeout; 400 bad parameters; 404 unknown; 503 too many waits.
    {"GET", "/NAME/wait", resource::wait, false, serve_wait},
    // 204 every entry applied; 400 and nothing applied for a bad entry or an unknown name. The
    // batch path matches in any letter case, as gofail's does.
    {"PUT", "/failpoints", resource::batch, true, serve_apply},
    // 204 every failpoint disabled.
    {"DELETE", "/failpoints", resource::batch, true, serve_reset},
};

// What a decoded path names, and the failpoint name in it.
struct location {
  resource names;
  std::string name;
};

location locate(const std::string& path) {
  if (path.empty())
    return {resource::list, {}};
  if (is_batch_path(path))
    return {resource::batch, {}};
  // A registered name wins over the /count and /wait suffixes.
  if (!failpoint::status(path)) {
    for (const auto& [suffix, names] : {std::pair{std::string_view("/count"), resource::count},
                                        std::pair{std::string_view("/wait"), resource::wait}}) {
      if (ends_with(path, suffix))
        return {names, path.substr(0, path.size() - suffix.size())};
    }
  }
  return {resource::name, path};
}

// The token as `Bearer TOKEN`, or as the password of a browser's Basic credentials.
bool credentials_match(std::string_view authorization, const std::string& token) {
  if (bearer_matches(authorization, token))
    return true;
  const auto password = http_internal::basic_password(authorization);
  return password && bearer_matches("Bearer " + *password, token);
}

control_reply dispatch(const control_request& request, const std::string& token) {
  if (!http_internal::origin_allowed(request.origin, request.host, request.fetch_site,
                                     request.accept)) {
    return failure_reply({403,
                          "refused: a browser may use the endpoint only from its own page, "
                          "reached by an IP address or localhost (Origin: " +
                              std::string(request.origin) + ", Host: " + std::string(request.host) +
                              ")"});
  }
  if (!token.empty() && !credentials_match(request.authorization, token)) {
    control_reply r = failure_reply({401, "missing or wrong `Authorization: Bearer <token>`"});
    r.authenticate = true;
    return r;
  }
  const auto target = parse_request_target(request.target);
  if (!target.ok())
    return failure_reply(target.error());
  const location where = locate(target.value().path);
  std::string allow;
  for (const route_spec& r : routes()) {
    if (r.names != where.names)
      continue;
    if (r.method == request.method)
      return r.serve({request, target.value(), where.name});
    allow += (allow.empty() ? "" : ", ") + std::string(r.method);
  }
  return method_not_allowed(request.method, std::move(allow));
}

}  // namespace

route_list routes() noexcept {
  return {std::begin(k_routes), std::end(k_routes)};
}

control_reply body_too_large() {
  return failure_reply({413, "request body over " + std::to_string(k_body_limit / 1024) + " KiB"});
}

control_reply headers_too_large() {
  return failure_reply(
      {431, "request headers over " + std::to_string(k_header_limit / 1024) + " KiB"});
}

control_reply failure_reply(const failure& error) {
  return text_reply(error.status, error.message + "\n");
}

control_reply route(const control_request& request, const std::string& token) {
  try {
    return dispatch(request, token);
  } catch (const std::exception& e) {
    return text_reply(500, std::string("internal error: ") + e.what() + "\n");
  } catch (...) {
    return text_reply(500, "internal error\n");
  }
}

bool may_change(std::string_view method) noexcept {
  return std::any_of(routes().begin(), routes().end(),
                     [&](const route_spec& r) { return r.changes && r.method == method; });
}

control_reply run_wait(const wait_job& job, const std::function<bool()>& cancelled) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  try {
    while (!cancelled()) {
      auto slice = k_wait_slice;
      if (job.timeout) {
        const auto left = *job.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                             clock::now() - start);
        if (left < slice)
          slice = std::max(left, std::chrono::milliseconds(0));
      }
      if (failpoint::wait_for(job.name, job.count, slice)) {
        const auto info = failpoint::status(job.name);
        return text_reply(200, std::to_string(info ? info->count : job.count));
      }
      if (job.timeout && clock::now() - start >= *job.timeout) {
        const auto info = failpoint::status(job.name);
        return failure_reply({408, "timed out after " + std::to_string(job.timeout->count()) +
                                       " ms: \"" + job.name + "\" ran " +
                                       std::to_string(info ? info->count : 0) + " of " +
                                       std::to_string(job.count) + " times"});
      }
    }
  } catch (const failpoint::unknown_failpoint& e) {
    return failure_reply(unknown_name(e.name(), e.suggestions()));
  } catch (const std::exception& e) {
    return text_reply(500, std::string("internal error: ") + e.what() + "\n");
  }
  return failure_reply({503, "the wait was cancelled (the endpoint is stopping)"});
}

bool bearer_matches(std::string_view authorization, std::string_view token) noexcept {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() < scheme.size())
    return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i])
      return false;
  }
  std::string_view given = authorization.substr(scheme.size());
  while (!given.empty() && given.front() == ' ')
    given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ')
    given.remove_suffix(1);
  // Every byte of the longer string is compared, so the time does not depend on where they differ.
  std::size_t diff = given.size() ^ token.size();
  const std::size_t n = std::max(given.size(), token.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0u;
    const auto b = i < token.size() ? static_cast<unsigned char>(token[i]) : 0u;
    diff |= a ^ b;
  }
  return diff == 0;
}

}  // namespace http_internal
}  // namespace failpoint
