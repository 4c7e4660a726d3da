// runtime/control.cpp: the public C++ control API (failpoint/control.hpp, failpoint/error.hpp).
#include "failpoint/control.hpp"

#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "failpoint/error.hpp"
#include "runtime/registry.hpp"
#include "runtime/terms.hpp"

namespace failpoint {
namespace {

std::string unknown_message(const std::string& name, const std::vector<std::string>& suggestions) {
  if (suggestions.empty())
    return fmt::format("no failpoint named \"{}\" is registered", name);
  return fmt::format("no failpoint named \"{}\" is registered; did you mean \"{}\"?", name,
                     fmt::join(suggestions, "\", \""));
}

using entry_list = std::vector<std::pair<std::string, std::unique_ptr<detail::parsed_terms>>>;

// Parses the terms of every entry; an empty terms string means "disable".
entry_list parse_entries(std::vector<std::pair<std::string, std::string>> specs) {
  entry_list entries;
  for (auto& [name, terms] : specs) {
    std::unique_ptr<detail::parsed_terms> parsed;
    if (!terms.empty()) {
      try {
        parsed = std::make_unique<detail::parsed_terms>(detail::parse_terms(terms));
      } catch (const config_error& e) {
        throw config_error(fmt::format("failpoint \"{}\": {}", name, e.what()), e.position());
      }
    }
    entries.emplace_back(std::move(name), std::move(parsed));
  }
  return entries;
}

// The function set by set_before_process_end. Leaked: a failpoint may panic while static
// objects are destroyed.
struct before_process_end_hook {
  std::mutex mutex;
  std::shared_ptr<const std::function<void()>> fn;
};

before_process_end_hook& before_process_end() {
  static auto* hook = new before_process_end_hook;
  return *hook;
}

}  // namespace

config_error::config_error(const std::string& message, std::size_t position)
    : std::invalid_argument(message), position_(position) {}

unknown_failpoint::unknown_failpoint(std::string name, std::vector<std::string> suggestions)
    : std::out_of_range(unknown_message(name, suggestions)),
      name_(std::move(name)),
      suggestions_(std::move(suggestions)) {}

injected_error::injected_error(std::string name, std::string message)
    : std::runtime_error(message.empty() ? fmt::format("failpoint throw: {}", name)
                                         : fmt::format("failpoint throw: {}: {}", name, message)),
      name_(std::move(name)),
      message_(std::move(message)) {}

void enable(std::string_view name, std::string_view terms) {
  entry_list entries;
  entries.emplace_back(std::string(name),
                       std::make_unique<detail::parsed_terms>(detail::parse_terms(terms)));
  detail::registry::instance().apply(std::move(entries), false);
}

bool disable(std::string_view name) {
  return detail::registry::instance().disable(name);
}

void disable_all() {
  detail::registry::instance().disable_all();
}

void apply(std::string_view spec, bool keep_unknown) {
  detail::registry::instance().apply(parse_entries(detail::split_spec(spec)), keep_unknown);
}

std::vector<std::pair<std::string, std::string>> parse_spec(std::string_view spec) {
  auto specs = detail::split_spec(spec);
  (void)parse_entries(specs);
  return specs;
}

void validate_terms(std::string_view terms) {
  (void)detail::parse_terms(terms);
}

std::optional<failpoint_info> status(std::string_view name) {
  return detail::registry::instance().status(name);
}

std::vector<failpoint_info> list() {
  return detail::registry::instance().list();
}

std::vector<std::string> closest_names(std::string_view name, std::size_t max) {
  return detail::registry::instance().closest(name, max);
}

bool wait_for(std::string_view name, std::uint64_t count, std::chrono::milliseconds timeout) {
  return detail::registry::instance().wait_for(name, count, timeout);
}

void set_callback(std::string_view name, std::function<void()> fn) {
  detail::registry::instance().set_callback(name, std::move(fn));
}

void set_seed(std::uint64_t seed) {
  detail::registry::instance().set_seed(seed);
}

void set_before_process_end(std::function<void()> fn) {
  std::shared_ptr<const std::function<void()>> next;
  if (fn)
    next = std::make_shared<const std::function<void()>>(std::move(fn));
  auto& hook = before_process_end();
  std::lock_guard<std::mutex> lock(hook.mutex);
  hook.fn.swap(next);
}

namespace detail {

void run_before_process_end() noexcept {
  std::shared_ptr<const std::function<void()>> fn;
  {
    auto& hook = before_process_end();
    std::lock_guard<std::mutex> lock(hook.mutex);
    fn = hook.fn;
  }
  if (!fn)
    return;
  try {
    (*fn)();
  } catch (...) {
    // The process is about to end; nothing useful can be done with the error.
  }
}

}  // namespace detail

scoped::scoped(std::string_view name, std::string_view terms) : name_(name) {
  auto previous = status(name);
  if (!previous)
    throw unknown_failpoint(name_, closest_names(name_));
  previous_ = previous->terms;
  enable(name, terms);
}

scoped::~scoped() {
  try {
    if (previous_.empty()) {
      disable(name_);
    } else {
      enable(name_, previous_);
    }
  } catch (...) {
    // The previous terms were valid when saved; a callback removed since then is the only way
    // here, and a destructor must not throw: leave the failpoint disabled.
    disable(name_);
  }
}

}  // namespace failpoint
