// http-control/router.cpp: the control API's routes (see router.hpp for the table).
#include "router.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "failpoint/control.hpp"
#include "url.hpp"

namespace failpoint {
namespace detail {
namespace {

// The path of the batch routes, matched in any case as gofail does: a failpoint named
// `failpoints` in any case cannot be controlled through /NAME.
constexpr std::string_view k_batch_path = "failpoints";

bool is_batch_path(std::string_view path) {
  return std::equal(
      path.begin(), path.end(), k_batch_path.begin(), k_batch_path.end(),
      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

control_reply text_reply(unsigned status, std::string body) {
  control_reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

control_reply no_content() {
  return text_reply(204, {});
}

control_reply method_not_allowed(std::string_view method, const char* allow) {
  control_reply r = text_reply(
      405, "method " + std::string(method) + " is not allowed here; allowed: " + allow + "\n");
  r.allow = allow;
  return r;
}

// 404 for a name no site has, with the closest registered names (the runtime's wording).
control_reply unknown_reply(std::string_view name, const std::vector<std::string>& suggestions) {
  return text_reply(
      404, std::string(failpoint::unknown_failpoint(std::string(name), suggestions).what()) + "\n");
}

control_reply unknown_reply(std::string_view name) {
  return unknown_reply(name, failpoint::closest_names(name));
}

// Runs a control call and turns the runtime's exceptions into replies: config_error is 400 (its
// message names the byte position), unknown_failpoint is `unknown_status` with suggestions.
template <class F>
control_reply guarded(F&& f, unsigned unknown_status = 404) {
  try {
    return f();
  } catch (const failpoint::config_error& e) {
    return text_reply(400, std::string(e.what()) + "\n");
  } catch (const failpoint::unknown_failpoint& e) {
    control_reply r = unknown_reply(e.name(), e.suggestions());
    r.status = unknown_status;
    return r;
  } catch (const std::exception& e) {
    return text_reply(500, std::string("internal error: ") + e.what() + "\n");
  } catch (...) {
    return text_reply(500, "internal error\n");
  }
}

// Whether applying `terms` may end the process (`panic` aborts, `break` raises SIGTRAP), so that
// the 204 must be written before the change is applied: another thread may hit the failpoint
// right away. Conservative: any mention counts, even inside a string (deferring costs little).
bool may_end_process(std::string_view terms) {
  for (std::string_view word : {"panic", "break"}) {
    if (terms.find(word) != std::string_view::npos)
      return true;
  }
  return false;
}

// Applies now, or (terms that may end the process) once the 204 is written. A deferred change
// was checked beforehand; should it still fail, the failure goes to stderr (the client has its
// 204 already).
control_reply apply_change(bool defer, std::function<void()> change) {
  control_reply r = no_content();
  if (!defer) {
    change();
    return r;
  }
  r.after_write = [change = std::move(change)] {
    try {
      change();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "failpoint: HTTP control: deferred change failed: %s\n", e.what());
    }
  };
  return r;
}

// GET / : `name=terms` lines, or JSON.
control_reply list_reply(bool json) {
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

// The value of `key` in a decoded query; nullopt when absent.
std::optional<std::string> query_value(const request_target& target, std::string_view key) {
  for (const auto& [k, v] : target.query) {
    if (k == key)
      return v;
  }
  return std::nullopt;
}

// A decimal number without sign; nullopt when not one or too large.
std::optional<std::uint64_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 19)
    return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// /NAME
control_reply name_route(std::string_view method, const std::string& name, std::string_view body) {
  if (method == "GET") {
    const auto info = failpoint::status(name);
    if (!info)
      return unknown_reply(name);
    if (info->terms.empty())
      return text_reply(404, "failpoint \"" + name + "\" is disabled\n");
    return text_reply(200, info->terms + "\n");  // a line, as gofail answers
  }
  if (method == "PUT") {
    return guarded([&] {
      if (!failpoint::status(name))
        return unknown_reply(name);
      failpoint::validate_terms(body);
      std::string terms(body);
      return apply_change(may_end_process(terms),
                          [name, terms] { failpoint::enable(name, terms); });
    });
  }
  if (method == "DELETE") {
    if (!failpoint::disable(name))
      return unknown_reply(name);
    return no_content();
  }
  return method_not_allowed(method, "GET, PUT, DELETE");
}

// /failpoints
control_reply batch_route(std::string_view method, std::string_view body) {
  if (method == "PUT") {
    return guarded(
        [&] {
          std::string spec(body);
          const bool defer = may_end_process(spec);
          if (defer) {
            // Check everything apply() would, so that the deferred apply cannot fail.
            for (const auto& [name, terms] : failpoint::parse_spec(spec)) {
              if (!failpoint::status(name)) {
                throw failpoint::unknown_failpoint(name, failpoint::closest_names(name));
              }
              failpoint::validate_terms(terms);
            }
          }
          return apply_change(defer, [spec] { failpoint::apply(spec, false); });
        },
        400);
  }
  if (method == "DELETE") {
    failpoint::disable_all();
    return no_content();
  }
  return method_not_allowed(method, "PUT, DELETE");
}

// /NAME/wait?count=N&timeout_ms=T
control_reply wait_route(const std::string& name, const request_target& query) {
  const auto count_text = query_value(query, "count");
  if (!count_text)
    return text_reply(400, "missing query parameter count=N\n");
  const auto count = parse_count(*count_text);
  if (!count) {
    return text_reply(400, "count=" + *count_text + ": expected a non-negative integer\n");
  }
  wait_job job;
  job.name = name;
  job.count = *count;
  if (const auto timeout_text = query_value(query, "timeout_ms")) {
    const auto ms = parse_count(*timeout_text);
    if (!ms) {
      return text_reply(400, "timeout_ms=" + *timeout_text + ": expected a non-negative integer\n");
    }
    const auto max = static_cast<std::uint64_t>(k_max_wait.count());
    job.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(*ms, max)));
  }
  if (!failpoint::status(name))
    return unknown_reply(name);
  control_reply r;
  r.wait = std::move(job);
  return r;
}

control_reply route_unguarded(const control_request& request, const std::string& token) {
  if (!token.empty() && !bearer_matches(request.authorization, token)) {
    control_reply r = text_reply(401, "missing or wrong `Authorization: Bearer <token>`\n");
    r.authenticate = true;
    return r;
  }
  std::string error;
  const auto target = parse_request_target(request.target, error);
  if (!target)
    return text_reply(400, error + "\n");
  const request_target& query = *target;
  const std::string& path = target->path;
  const std::string_view method = request.method;

  if (path.empty()) {
    if (method != "GET")
      return method_not_allowed(method, "GET");
    const auto format = query_value(query, "format");
    bool json = request.accept.find("application/json") != std::string_view::npos;
    if (format) {
      if (*format != "json" && *format != "text") {
        return text_reply(400, "format=" + *format + ": expected json or text\n");
      }
      json = *format == "json";
    }
    return list_reply(json);
  }
  if (is_batch_path(path))
    return batch_route(method, request.body);

  // A registered name wins over the /count and /wait suffixes.
  if (!failpoint::status(path)) {
    if (ends_with(path, "/count")) {
      const std::string name = path.substr(0, path.size() - 6);
      if (method != "GET")
        return method_not_allowed(method, "GET");
      const auto info = failpoint::status(name);
      if (!info)
        return unknown_reply(name);
      return text_reply(200, std::to_string(info->count));
    }
    if (ends_with(path, "/wait")) {
      if (method != "GET")
        return method_not_allowed(method, "GET");
      return wait_route(path.substr(0, path.size() - 5), query);
    }
  }
  return name_route(method, path, request.body);
}

}  // namespace

control_reply route(const control_request& request, const std::string& token) {
  return guarded([&] { return route_unguarded(request, token); });
}

control_reply run_wait(const wait_job& job, const std::function<bool()>& cancelled) {
  return guarded([&] {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
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
        return text_reply(408, "timed out after " + std::to_string(job.timeout->count()) +
                                   " ms: \"" + job.name + "\" ran " +
                                   std::to_string(info ? info->count : 0) + " of " +
                                   std::to_string(job.count) + " times\n");
      }
    }
    return text_reply(503, "the wait was cancelled (the endpoint is stopping)\n");
  });
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

}  // namespace detail
}  // namespace failpoint
