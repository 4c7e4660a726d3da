// runtime/control.cpp: the public C++ control API (failpoint/control.hpp, failpoint/error.hpp).
#include "failpoint/control.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "failpoint/error.hpp"

#include "runtime/registry.hpp"
#include "runtime/terms.hpp"

// Lets the runtime know that the HTTP endpoint library (failpoint::http) is loaded, so that
// FAILPOINTS_HTTP has a server; its load-time initializer calls it. Without it, a process whose
// FAILPOINTS_HTTP is set is told on stderr what to link.
extern "C" FAILPOINT_EXPORT void failpoint_runtime_http_present() noexcept {
  try {
    failpoint::runtime_internal::registry::instance().http_present();
  } catch (...) {
  }
}

namespace failpoint {
namespace {

namespace ri = runtime_internal;

// The public API's typed exception for an internal error.
[[noreturn]] void throw_error(ri::error e) {
  if (e.what == ri::error::kind::unknown_name)
    throw unknown_failpoint(std::move(e.name), std::move(e.suggestions));
  throw config_error(e.message, e.position);
}

template <class T>
T value_or_throw(ri::result<T> r) {
  if (!r.ok())
    throw_error(std::move(r).failure());
  return std::move(r).value();
}

std::unique_ptr<ri::parsed_terms> parse_or_throw(std::string_view terms) {
  return std::make_unique<ri::parsed_terms>(value_or_throw(ri::parse_terms(terms)));
}

// Parses the terms of every entry; empty terms mean "disable". `keep_unknown` marks every
// entry as one that may register later.
std::vector<ri::registry::change> parse_changes(std::string_view spec, bool keep_unknown) {
  std::vector<ri::registry::change> changes;
  for (ri::spec_entry& entry : value_or_throw(ri::split_spec(spec))) {
    std::unique_ptr<ri::parsed_terms> parsed;
    if (!entry.terms.empty()) {
      auto terms = ri::parse_terms(entry.terms);
      if (!terms.ok())
        throw config_error(fmt::format("failpoint \"{}\": {}", entry.name, terms.failure().message),
                           terms.failure().position);
      parsed = std::make_unique<ri::parsed_terms>(std::move(terms).value());
    }
    changes.push_back(ri::registry::change{std::move(entry.name), std::move(parsed),
                                           entry.later || keep_unknown});
  }
  return changes;
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
    : std::out_of_range(ri::unknown_name_message(name, suggestions)),
      name_(std::move(name)),
      suggestions_(std::move(suggestions)) {}

injected_error::injected_error(std::string name, std::string message)
    : std::runtime_error(message.empty() ? fmt::format("failpoint throw: {}", name)
                                         : fmt::format("failpoint throw: {}: {}", name, message)),
      name_(std::move(name)),
      message_(std::move(message)) {}

void enable(std::string_view name, std::string_view terms) {
  std::vector<ri::registry::change> changes;
  changes.push_back(ri::registry::change{std::string(name), parse_or_throw(terms), false});
  value_or_throw(ri::registry::instance().apply(std::move(changes)));
}

bool disable(std::string_view name) {
  return ri::registry::instance().disable(name);
}

void disable_all() {
  ri::registry::instance().disable_all();
}

void apply(std::string_view spec, bool keep_unknown) {
  value_or_throw(ri::registry::instance().apply(parse_changes(spec, keep_unknown)));
}

std::vector<std::pair<std::string, std::string>> parse_spec(std::string_view spec) {
  std::vector<std::pair<std::string, std::string>> out;
  for (ri::registry::change& c : parse_changes(spec, false))
    out.emplace_back(std::move(c.name), c.terms ? c.terms->source : std::string());
  return out;
}

void validate_terms(std::string_view terms) {
  (void)parse_or_throw(terms);
}

bool may_end_process(std::string_view terms) {
  return ri::may_end_process(*parse_or_throw(terms));
}

std::optional<failpoint_info> status(std::string_view name) {
  return ri::registry::instance().status(name);
}

std::vector<failpoint_info> list() {
  return ri::registry::instance().list();
}

std::vector<std::string> closest_names(std::string_view name, std::size_t max) {
  return ri::registry::instance().closest(name, max);
}

bool wait_for(std::string_view name, std::uint64_t count, std::chrono::milliseconds timeout) {
  return value_or_throw(ri::registry::instance().wait_for(name, count, timeout));
}

void set_callback(std::string_view name, std::function<void()> fn) {
  ri::registry::instance().set_callback(name, std::move(fn));
}

void set_seed(std::uint64_t seed) {
  ri::registry::instance().set_seed(seed);
}

void set_before_process_end(std::function<void()> fn) {
  std::shared_ptr<const std::function<void()>> next;
  if (fn)
    next = std::make_shared<const std::function<void()>>(std::move(fn));
  auto& hook = before_process_end();
  std::lock_guard<std::mutex> lock(hook.mutex);
  hook.fn.swap(next);
}

namespace runtime_internal {

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

}  // namespace runtime_internal

namespace {

std::string unfired_reason(const std::string& name, const std::string& terms, std::uint64_t runs,
                           std::uint64_t needed) {
  return fmt::format(
      "the fault of failpoint \"{}\" never fired: its terms \"{}\" ran {} time{}, {} needed", name,
      terms, runs, runs == 1 ? "" : "s", needed);
}

}  // namespace

fault_not_fired::fault_not_fired(std::string name, std::string terms, std::uint64_t runs,
                                 std::uint64_t needed, const char* file, int line)
    : std::logic_error(
          fmt::format("{}:{}: {}", file, line, unfired_reason(name, terms, runs, needed))),
      name_(std::move(name)),
      terms_(std::move(terms)),
      reason_(unfired_reason(name_, terms_, runs, needed)),
      runs_(runs),
      needed_(needed),
      file_(file),
      line_(line) {}

namespace {

std::mutex unfired_mutex;
unfired_handler unfired;  // guarded by unfired_mutex; empty: the default (throw)

// How many runs reach the first term that is not a plain counted `off`: `2*off->return` needs 3.
// A chain of nothing but such terms needs one run (the failpoint was reached).
std::uint64_t runs_to_fault(const ri::parsed_terms& parsed) {
  std::uint64_t skipped = 0;
  for (const ri::term& t : parsed.terms) {
    if (t.act != ri::action::off || !t.count || t.percent)
      return skipped + 1;
    skipped += *t.count;
  }
  return 1;
}

}  // namespace

unfired_handler set_unfired_handler(unfired_handler handler) {
  std::lock_guard<std::mutex> lock(unfired_mutex);
  std::swap(unfired, handler);
  return handler;
}

scoped::scoped(std::string_view name, std::string_view terms) : name_(name), terms_(terms) {
  auto previous = status(name);
  if (!previous)
    throw unknown_failpoint(name_, closest_names(name_));
  previous_ = previous->terms;
  enable(name, terms);
}

scoped::scoped(std::string_view name, std::string_view terms, expect_fired_t, const char* file,
               int line)
    : scoped(name, terms) {
  require_fired(file, line);
}

scoped& scoped::require_fired(const char* file, int line) {
  needed_ = runs_to_fault(value_or_throw(ri::parse_terms(terms_)));
  file_ = file;
  line_ = line;
  uncaught_ = std::uncaught_exceptions();
  return *this;
}

scoped::~scoped() noexcept(false) {
  // The count is read before restoring: enabling the previous terms resets it.
  std::optional<fault_not_fired> missed;
  if (needed_ != 0) {
    const auto now = status(name_);
    const std::uint64_t runs = now ? now->count : 0;
    if (runs < needed_)
      missed.emplace(name_, terms_, runs, needed_, file_, line_);
  }
  try {
    if (previous_.empty()) {
      disable(name_);
    } else {
      enable(name_, previous_);
    }
  } catch (...) {
    // The previous terms were valid when saved; a callback removed since then is the only way
    // here, and the failpoint must not stay on: leave it disabled.
    disable(name_);
  }
  if (!missed)
    return;
  unfired_handler handler;
  {
    std::lock_guard<std::mutex> lock(unfired_mutex);
    handler = unfired;
  }
  const bool unwinding = std::uncaught_exceptions() > uncaught_;
  if (handler) {
    handler(*missed);
  } else if (unwinding) {
    // Throwing now would terminate the program; the test already fails with the other exception.
    std::fprintf(stderr, "failpoint: %s\n", missed->what());
  } else {
    throw *missed;
  }
}

}  // namespace failpoint
