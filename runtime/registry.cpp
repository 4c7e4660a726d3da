// runtime/registry.cpp: failpoint names, their configuration, status, listing, fork handling.
// Evaluation (what a hit does) is in runtime/evaluation.cpp.
#include "runtime/registry.hpp"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>

#include <fmt/format.h>

#include "runtime/readers.hpp"
#include "runtime/site_values.hpp"
#include "runtime/types.hpp"

namespace failpoint {
namespace runtime_internal {

std::atomic<bool> settle_pending{false};
std::atomic<std::uint64_t> seed_key{0};

namespace {

std::uint64_t hash_name(const std::string& name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix_seed(std::uint64_t seed) noexcept {
  std::uint64_t x = seed + 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Replaces the active snapshot (caller holds p->mutex). The reference `active` held is dropped
// once no evaluator can still be reading the old snapshot, without waiting for that here.
void swap_active(point* p, snapshot* next) noexcept {
  // The fast hits of the old configuration end first (a reader that saw its generation and then
  // reads the new words finds generation 0 or the new one on its second look).
  p->fast.generation.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  snapshot* old = p->active.exchange(next, std::memory_order_seq_cst);
  if (next != nullptr && next->fast_hits) {
    p->fast.word.store(next->plans[0].word, std::memory_order_relaxed);
    p->fast.payload.store(next->plans[0].payload, std::memory_order_relaxed);
    p->fast.fitting_rows.store(next->plans[0].fitting_rows, std::memory_order_relaxed);
    p->fast.generation.store(next->generation, std::memory_order_release);
  }
  const bool armed = next != nullptr;
  for (site* s : p->sites)
    s->armed.store(armed, std::memory_order_release);
  if (old == nullptr)
    return;
  // Every run counted before the exchange is visible after the fence; the old snapshot's count is
  // fixed here, so that status() and wait_for() of a disabled failpoint never move.
  heavy_fence();
  old->frozen_runs = runs_of(old);
  old->frozen = true;
  retire_after_readers([](void* s) { release(static_cast<snapshot*>(s)); }, old);
}

// Whether `address` lies in the executable rather than in a shared library.
bool in_main_program(const void* address) {
  Dl_info info;
  link_map* object = nullptr;
  if (dladdr1(address, &info, reinterpret_cast<void**>(&object), RTLD_DL_LINKMAP) == 0 ||
      object == nullptr)
    return false;
  return object == _r_debug.r_map;  // the executable is the first object of the link map
}

bool same_letter(char a, char b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return lower(a) == lower(b);
}

// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours
// as one edit (optimal string alignment), so "itn" is one edit from "int". Letters compare
// without case: a name typed in the wrong case is the closest suggestion.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t width = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * width + j]; };
  for (std::size_t i = 0; i <= a.size(); ++i)
    at(i, 0) = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    at(0, j) = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = same_letter(a[i - 1], b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) && same_letter(a[i - 2], b[j - 1]))
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.size(), b.size());
}

[[noreturn]] void exit_on_bad_environment(const std::string& message) {
  write_stderr(fmt::format("failpoint: {}\n", message));
  std::exit(1);
}

}  // namespace

// --- Helpers shared with evaluation.cpp (declared in registry.hpp). ---

std::uint64_t runs_of(const snapshot* snap) noexcept {
  if (snap->frozen)
    return snap->frozen_runs;
  std::uint64_t runs = snap->shared_runs.load(std::memory_order_seq_cst);
  for (std::size_t i = 0; i < snap->parsed.terms.size(); ++i) {
    if (const auto& count = snap->parsed.terms[i].count)
      runs += *count - remaining_runs(snap, i);
  }
  return runs + sum_runs(snap->owner->index, snap->generation);
}

std::uint64_t lane_sum(const count_lane* lanes, std::uint32_t lane_mask,
                       std::atomic<std::uint64_t> count_lane::*counter) noexcept {
  std::uint64_t sum = 0;
  for (std::uint32_t lane = 0; lane <= lane_mask; ++lane)
    sum += (lanes[lane].*counter).load(std::memory_order_seq_cst);
  return sum;
}

void wait_for_batch_in_flight() noexcept {
  sched_yield();
}

void forget_batches_in_flight(snapshot* snap) noexcept {
  for (std::size_t i = 0; i < snap->parsed.terms.size(); ++i) {
    const term_plan& plan = snap->plans[i];
    if (!plan.batched)
      continue;
    for (std::uint32_t lane = 0; lane <= plan.lane_mask; ++lane) {
      count_lane& l = snap->lanes[plan.first_lane + lane];
      l.batches_landed.store(l.batches_taken.load(std::memory_order_relaxed),
                             std::memory_order_relaxed);
    }
  }
}

std::uint64_t remaining_runs(const snapshot* snap, std::size_t i) noexcept {
  const term_plan& plan = snap->plans[i];
  if (!plan.counted)
    return 0;
  const count_lane* const lanes = snap->lanes.get() + plan.first_lane;
  for (;;) {
    // A batch counted in `landed` has its runs in its thread's batch (released before the count).
    const std::uint64_t landed =
        plan.batched ? lane_sum(lanes, plan.lane_mask, &count_lane::batches_landed) : 0;
    std::uint64_t left = lane_sum(lanes, plan.lane_mask, &count_lane::left);
    if (!plan.batched)
      return left;
    left += batched_runs(snap->owner->index, snap->generation);
    // Both counts only grow and a lane's landed count never passes its taken count: equal sums
    // mean that no batch was on its way when `landed` was read (counted in neither its lane nor
    // its thread's batch) and none left a lane since (counted in both).
    if (lane_sum(lanes, plan.lane_mask, &count_lane::batches_taken) == landed)
      return left;
    wait_for_batch_in_flight();
  }
}

bool used_up(const snapshot* snap) noexcept {
  if (snap->has_batched_term)
    heavy_fence();
  for (std::size_t i = 0; i < snap->parsed.terms.size(); ++i) {
    if (remaining_runs(snap, i) != 0)
      return false;
  }
  return true;
}

void registry::set_seed(std::uint64_t seed) {
  seed_.store(seed, std::memory_order_relaxed);
  seed_key.store(mix_seed(seed), std::memory_order_relaxed);
}

void write_stderr(const std::string& message) noexcept {
  const char* data = message.data();
  std::size_t left = message.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, data, left);
    if (n <= 0)
      return;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::string describe_value(const value& v) {
  switch (v.kind) {
    case value_kind::none:
      return "no value";
    case value_kind::integer:
      return fmt::format("{}", v.integer);
    case value_kind::boolean:
      return v.integer != 0 ? "true" : "false";
    case value_kind::string:
      return quote_for_message(std::string_view(v.text, v.size));
  }
  return "?";
}

}  // namespace runtime_internal

namespace detail {

snapshot::snapshot(runtime_internal::parsed_terms p, point* o)
    : parsed(std::move(p)),
      stream(runtime_internal::hash_name(o->name)),
      owner(o),
      can_exhaust(true) {
  // A string value's bytes outlive the configuration: a site's hit keeps no reference to it.
  for (runtime_internal::term& t : parsed.terms) {
    if (t.val.kind == value_kind::string) {
      t.val.text = runtime_internal::intern_string(t.text);
      t.val.size = t.text.size();
    }
  }
  plans.reset(new term_plan[parsed.terms.size()]);
  std::uint32_t lane_total = 0;
  for (std::size_t i = 0; i < parsed.terms.size(); ++i) {
    const runtime_internal::term& t = parsed.terms[i];
    term_plan& plan = plans[i];
    plan.lane_mask = 0;
    plan.batched = false;
    plan.first_lane = lane_total;
    if (t.count) {
      if (*t.count >= split_count_from) {
        plan.lane_mask = static_cast<std::uint8_t>(count_lanes_per_term - 1);
        if (!has_batched_term && *t.count < batch_count_below)
          plan.batched = has_batched_term = true;
      }
      lane_total += plan.lane_mask + 1u;
    }
  }
  lanes.reset(new count_lane[lane_total]);
  for (std::size_t i = 0; i < parsed.terms.size(); ++i) {
    const runtime_internal::term& t = parsed.terms[i];
    term_plan& plan = plans[i];
    if (t.count) {
      // Even shares, the remainder in the first lane.
      const std::uint64_t share = *t.count / (plan.lane_mask + 1u);
      for (std::uint32_t lane = 0; lane <= plan.lane_mask; ++lane)
        lanes[plan.first_lane + lane].left.store(share, std::memory_order_relaxed);
      lanes[plan.first_lane].left.fetch_add(*t.count - share * (plan.lane_mask + 1u),
                                            std::memory_order_relaxed);
    } else {
      can_exhaust = false;
    }
    // P% of 2^64, as an integer (the roll compares 64 random bits with it).
    const double scaled = t.percent.value_or(100.0) / 100.0 * 0x1.0p64;
    plan.threshold = scaled >= 0x1.0p64 ? ~std::uint64_t(0)
                     : scaled <= 0.0    ? 0
                                        : static_cast<std::uint64_t>(scaled);
    // Inline: `off`, and a `return` of anything but a string; the rest goes out of line.
    const bool is_off = t.act == runtime_internal::action::off;
    plan.word = is_off ? 0 : static_cast<std::uint64_t>(t.val.kind) + 1;
    plan.payload = is_off ? 0 : static_cast<std::uint64_t>(t.val.integer);
    plan.fitting_rows = is_off ? 0 : runtime_internal::number_rows_fitting(t.val);
    plan.counted = t.count.has_value();
    plan.slow =
        !is_off && (t.act != runtime_internal::action::return_ || t.val.kind == value_kind::string);
  }
  fast_hits = !parsed.terms.empty() && plans[0].threshold == ~std::uint64_t(0) &&
              !plans[0].counted && !plans[0].slow;
}

}  // namespace detail

namespace runtime_internal {

registry& registry::instance() {
  static registry* const r = new registry();  // never destroyed: sites may run after main
  return *r;
}

registry::registry() : seed_(std::random_device{}()) {
  seed_key.store(mix_seed(seed_.load(std::memory_order_relaxed)), std::memory_order_relaxed);
  pthread_atfork([] { registry::instance().before_fork(); },
                 [] { registry::instance().after_fork_parent(); },
                 [] { registry::instance().after_fork_child(); });
  trace_init();
  apply_env();
}

// FAILPOINTS_SEED=n and FAILPOINTS="name=terms;..." are read once, when the registry is created
// (at the latest when the runtime library is loaded). A bad value ends the process with status 1:
// a fault test that silently runs without its faults would pass for the wrong reason. Names
// and values are checked later, when the program's failpoints are registered (see settle).
void registry::apply_env() {
  if (const char* seed = std::getenv("FAILPOINTS_SEED")) {
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(seed, &end, 10);
    if (*seed == '\0' || *seed == '-' || *end != '\0' || errno != 0)
      exit_on_bad_environment(
          fmt::format("FAILPOINTS_SEED=\"{}\" is not a whole number from 0 to 2^64-1", seed));
    set_seed(value);
  }
  const char* http = std::getenv("FAILPOINTS_HTTP");
  http_wanted_ = http != nullptr && *http != '\0';
  bool need_settle = http_wanted_;
  if (const char* spec = std::getenv("FAILPOINTS")) {
    auto entries = split_spec(spec);
    if (!entries.ok())
      exit_on_bad_environment(
          fmt::format("FAILPOINTS is malformed: {}", entries.failure().message));
    for (spec_entry& entry : entries.value()) {
      std::unique_ptr<parsed_terms> terms;
      if (!entry.terms.empty()) {
        auto parsed = parse_terms(entry.terms);
        if (!parsed.ok())
          exit_on_bad_environment(fmt::format("FAILPOINTS entry for \"{}\" is malformed: {}",
                                              entry.name, parsed.failure().message));
        terms = std::make_unique<parsed_terms>(std::move(parsed).value());
      }
      std::shared_ptr<parsed_terms> copy;
      if (terms) {
        copy = std::make_shared<parsed_terms>(*terms);
        copy->fix_pointers();
      }
      env_checks_.push_back(env_check{entry.name, std::move(copy), entry.later});
      need_settle = need_settle || !entry.later;
      pending_[entry.name] = std::move(terms);
    }
  }
  settle_pending.store(need_settle, std::memory_order_relaxed);
}

void registry::add_site(site* s) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = points_.find(s->info.name);
  const bool created = it == points_.end();
  if (created)
    it = points_
             .emplace(s->info.name, std::make_unique<point>(
                                        s->info.name, static_cast<std::uint32_t>(points_.size())))
             .first;
  point* p = it->second.get();
  {
    std::lock_guard<std::mutex> point_lock(p->mutex);
    p->sites.push_back(s);
    s->point = p;
    // While the settle check is pending every site is armed, so that the first hit runs it.
    s->armed.store(p->active.load(std::memory_order_acquire) != nullptr ||
                       settle_pending.load(std::memory_order_relaxed),
                   std::memory_order_release);
  }
  // The program's own sites register after every library loaded at startup has run its
  // initializers, the HTTP endpoint's included: by then FAILPOINTS_HTTP is served or never will
  // be, and saying so now helps a harness that waits for the endpoint before driving the program.
  if (http_wanted_ && !settled_ && !http_reported_ && in_main_program(s)) {
    if (auto unserved = unserved_http_locked())
      write_stderr(fmt::format("failpoint: {}\n", *unserved));
  }
  auto pending = pending_.find(s->info.name);
  if (pending != pending_.end()) {
    std::unique_ptr<parsed_terms> terms = std::move(pending->second);
    pending_.erase(pending);
    if (terms)
      configure(p, std::move(terms));
  } else if (created && trace_arms_all()) {
    configure(
        p, std::make_unique<parsed_terms>(parse_terms("off").value()));  // so that reach is traced
  }
  // A site registering outside the startup window that settle() checks (a library loaded
  // later, or a "?" entry): its failpoint's values were checked against other sites or none.
  // Name it when it cannot take them: its code would never run.
  if (settled_ || !settle_pending.load(std::memory_order_relaxed)) {
    std::lock_guard<std::mutex> point_lock(p->mutex);
    if (p->last != nullptr && !p->disabled)
      report_unreachable(p, p->last->parsed, s);
  }
}

point* registry::find(std::string_view name) {
  auto it = points_.find(name);
  return it == points_.end() ? nullptr : it->second.get();
}

void registry::configure(point* p, std::unique_ptr<parsed_terms> terms) {
  std::lock_guard<std::mutex> lock(p->mutex);
  if (!terms) {
    swap_active(p, nullptr);
    ++p->generation;
    p->disabled = true;
    p->changed.notify_all();
    return;
  }
  auto* snap = new snapshot(std::move(*terms), p);
  snap->refs.store(2, std::memory_order_relaxed);  // one for `active`, one for `last`
  snap->generation = ++p->generation;
  if (p->last != nullptr)
    release(p->last);
  p->last = snap;
  p->disabled = false;
  p->mismatches.store(0, std::memory_order_relaxed);
  p->mismatch_reported.store(false, std::memory_order_relaxed);
  swap_active(p, snap);
  p->changed.notify_all();
}

outcome registry::apply(std::vector<change> changes) {
  std::vector<std::string> warnings;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (change& c : changes) {
      point* p = find(c.name);
      if (p == nullptr && !c.later)
        return unknown_name_error(c.name);
      if (!c.terms)
        continue;
      for (const term& t : c.terms->terms) {
        if (t.act == action::callback && callbacks_.find(c.name) == callbacks_.end()) {
          const std::size_t at = t.action_offset;
          error e;
          e.message = fmt::format(
              "in {} at byte {}: no callback is set for failpoint \"{}\"; call "
              "failpoint::set_callback first",
              quote_for_message(c.terms->source), at, c.name);
          e.position = at;
          e.what = error::kind::rejected;
          return e;
        }
      }
      if (p != nullptr) {
        auto fit = check_types(p, *c.terms);
        if (!fit.ok())
          return std::move(fit).failure();
        for (std::string& w : fit.value())
          warnings.push_back(std::move(w));
      }
    }
    for (change& c : changes) {
      if (point* p = find(c.name)) {
        configure(p, std::move(c.terms));
      } else {
        pending_[c.name] = std::move(c.terms);
      }
    }
  }
  for (const std::string& w : warnings)
    write_stderr(fmt::format("failpoint: {}\n", w));
  return done{};
}

error registry::unknown_name_error(std::string_view name) {
  error e;
  e.what = error::kind::unknown_name;
  e.name = std::string(name);
  e.suggestions = closest_locked(name, max_suggestions);
  e.message = unknown_name_message(e.name, e.suggestions);
  return e;
}

std::string unknown_name_message(const std::string& name,
                                 const std::vector<std::string>& suggestions) {
  if (suggestions.empty())
    return fmt::format("no failpoint named \"{}\" is registered", name);
  return fmt::format("no failpoint named \"{}\" is registered; did you mean \"{}\"?", name,
                     fmt::join(suggestions, "\", \""));
}

namespace {

std::string site_text(const site* s) {
  return fmt::format("{} at {}:{}", *s->info.type ? s->info.type : "(no value)", s->info.file,
                     s->info.line);
}

}  // namespace

// Every `return` value must fit the declared type of at least one site of `p`; a value that
// fits some sites but not others is accepted with a warning naming the sites it cannot reach.
// Sites of a type the runtime cannot check (types.hpp) count as reachable.
result<std::vector<std::string>> registry::check_types(point* p, const parsed_terms& terms) {
  std::lock_guard<std::mutex> lock(p->mutex);
  std::vector<std::string> warnings;
  for (const term& t : terms.terms) {
    if (spec_of(t.act).rule != value_rule::any)
      continue;
    std::vector<std::string> misses;  // "TYPE at FILE:LINE (reason)"
    bool reaches_one = p->sites.empty();
    for (const site* s : p->sites) {
      const type_fit fit = fit_value(t.val, s->info.type);
      if (!fit.known || fit.reason == nullptr) {
        reaches_one = true;
      } else {
        misses.push_back(fmt::format("{} ({})", site_text(s), fit.reason));
      }
    }
    if (misses.empty())
      continue;
    if (!reaches_one) {
      error e;
      e.what = error::kind::rejected;
      e.message = fmt::format(
          "in {}: value {} does not fit failpoint \"{}\" of type {}; the failpoint's code "
          "would never run",
          quote_for_message(terms.source), describe_value(t.val), p->name, fmt::join(misses, ", "));
      return e;
    }
    warnings.push_back(fmt::format(
        "failpoint \"{}\": value {} cannot reach its site{} of type {}; it fires only at the "
        "other sites",
        p->name, describe_value(t.val), misses.size() == 1 ? "" : "s", fmt::join(misses, ", ")));
  }
  return warnings;
}

void registry::report_unreachable(point* p, const parsed_terms& terms, const site* s) {
  for (const term& t : terms.terms) {
    if (spec_of(t.act).rule != value_rule::any)
      continue;
    const type_fit fit = fit_value(t.val, s->info.type);
    if (fit.known && fit.reason != nullptr)
      write_stderr(fmt::format(
          "failpoint: failpoint \"{}\": value {} of {} cannot reach the site {} ({}); that "
          "site's code will not run\n",
          p->name, describe_value(t.val), quote_for_message(terms.source), site_text(s),
          fit.reason));
  }
}

// The settle check (see registry.hpp): run once, at the first hit of any failpoint or at exit.
void registry::settle() noexcept {
  std::vector<std::string> fatal;
  std::vector<std::string> notes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (settled_)
      return;
    settled_ = true;
    try {
      for (const env_check& check : env_checks_) {
        point* p = find(check.name);
        if (p == nullptr && check.later)
          continue;  // waits for its library (add_site reports a site it cannot reach)
        if (p == nullptr) {
          const std::vector<std::string> near = closest_locked(check.name, max_suggestions);
          std::string message =
              fmt::format("FAILPOINTS names \"{}\", but no failpoint has that name", check.name);
          if (!near.empty())
            message += fmt::format("; did you mean \"{}\"?", fmt::join(near, "\", \""));
          message += fmt::format(" (write \"?{}=...\" for a failpoint of a library loaded later)",
                                 check.name);
          fatal.push_back(std::move(message));
          continue;
        }
        if (!check.terms)
          continue;
        auto fit = check_types(p, *check.terms);
        if (!fit.ok()) {
          fatal.push_back(
              fmt::format("FAILPOINTS entry for \"{}\": {}", check.name, fit.failure().message));
        } else {
          for (std::string& w : fit.value())
            notes.push_back(std::move(w));
        }
      }
      if (auto unserved = unserved_http_locked())
        notes.push_back(std::move(*unserved));
    } catch (const std::exception& e) {
      notes.push_back(fmt::format("the FAILPOINTS check failed: {}", e.what()));
    }
    // Back to the zero-cost path for every site without terms.
    settle_pending.store(false, std::memory_order_relaxed);
    for (auto& entry : points_) {
      point* p = entry.second.get();
      std::lock_guard<std::mutex> point_lock(p->mutex);
      const bool armed = p->active.load(std::memory_order_acquire) != nullptr;
      for (site* s : p->sites)
        s->armed.store(armed, std::memory_order_release);
    }
  }
  try {
    for (const std::string& n : notes)
      write_stderr(fmt::format("failpoint: {}\n", n));
    for (const std::string& f : fatal)
      write_stderr(fmt::format("failpoint: {}\n", f));
  } catch (...) {
  }
  if (!fatal.empty()) {
    // Other threads may be running: end the process without running destructors under them,
    // after flushing what the program printed so far.
    std::fflush(nullptr);
    std::_Exit(1);
  }
}

std::optional<std::string> registry::unserved_http_locked() {
  const char* http = std::getenv("FAILPOINTS_HTTP");
  if (http == nullptr || *http == '\0' || http_present_.load(std::memory_order_acquire) ||
      http_reported_)
    return std::nullopt;
  http_reported_ = true;
  return fmt::format(
      "FAILPOINTS_HTTP=\"{}\" is set but this process has no HTTP endpoint to serve it: link "
      "failpoint::http (failpoint_enable() does; by hand, -Wl,--no-as-needed -lfailpoint_http)",
      http);
}

void registry::http_present() {
  http_present_.store(true, std::memory_order_release);
  bool names_to_check = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const env_check& check : env_checks_)
      names_to_check = names_to_check || !check.later;
  }
  // Nothing else waits for the program's failpoints: settle now rather than at the first hit.
  if (!names_to_check)
    settle();
}

bool registry::disable(std::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool known = false;
  auto pending = pending_.find(name);
  if (pending != pending_.end()) {
    pending_.erase(pending);
    known = true;
  }
  if (point* p = find(name)) {
    configure(p, nullptr);
    known = true;
  }
  return known;
}

void registry::disable_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.clear();
  for (auto& entry : points_)
    configure(entry.second.get(), nullptr);
}

failpoint_info registry::info_of(point* p) {
  std::lock_guard<std::mutex> lock(p->mutex);
  failpoint_info info;
  info.name = p->name;
  if (p->last != nullptr) {
    if (!p->disabled)
      info.terms = p->last->parsed.source;
    info.count = runs_of(p->last);
  }
  info.active = p->active.load(std::memory_order_acquire) != nullptr;
  info.mismatches = p->mismatches.load(std::memory_order_relaxed);
  if (!p->sites.empty())
    info.type = p->sites.front()->info.type;
  for (site* s : p->sites)
    info.sites.push_back(site_location{s->info.file, s->info.line});
  return info;
}

std::optional<failpoint_info> registry::status(std::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  point* p = find(name);
  if (p == nullptr)
    return std::nullopt;
  return info_of(p);
}

std::vector<failpoint_info> registry::list() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<failpoint_info> out;
  out.reserve(points_.size());
  for (auto& entry : points_)
    out.push_back(info_of(entry.second.get()));
  return out;
}

std::vector<std::string> registry::closest(std::string_view name, std::size_t max) {
  std::lock_guard<std::mutex> lock(mutex_);
  return closest_locked(name, max);
}

std::vector<std::string> registry::closest_locked(std::string_view name, std::size_t max) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::size_t threshold = std::max<std::size_t>(2, name.size() / 3);
  for (auto& entry : points_) {
    const std::string& candidate = entry.first;
    std::size_t d = edit_distance(name, candidate);
    const bool contains = !name.empty() && (candidate.find(name) != std::string::npos ||
                                            name.find(candidate) != std::string_view::npos);
    if (d <= threshold || contains)
      scored.emplace_back(d, candidate);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& entry : scored) {
    if (out.size() == max)
      break;
    out.push_back(std::move(entry.second));
  }
  return out;
}

result<bool> registry::wait_for(std::string_view name, std::uint64_t count,
                                std::chrono::milliseconds timeout) {
  point* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    p = find(name);
    if (p == nullptr)
      return unknown_name_error(name);
  }
  p->waiters.fetch_add(1, std::memory_order_seq_cst);
  // From here on, a hitting thread that counts a run sees the waiter and notifies; and the runs
  // it counted before (plain stores to its own counters) are visible to the predicate.
  heavy_fence();
  std::unique_lock<std::mutex> lock(p->mutex);
  const bool reached = p->changed.wait_for(lock, timeout, [&] {
    // A count of 0 is reached at once, even by a failpoint never enabled (no `last` yet).
    if (count == 0)
      return true;
    snapshot* last = p->last;
    if (last == nullptr || runs_of(last) < count)
      return false;
    // The run that used the chain up retires it right after counting (retire_if_active, which
    // notifies): wait for that, so that status() after wait_for shows the failpoint inactive.
    return !(last->can_exhaust && p->active.load(std::memory_order_seq_cst) == last &&
             used_up(last));
  });
  p->waiters.fetch_sub(1, std::memory_order_relaxed);
  return reached;
}

void registry::set_callback(std::string_view name, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fn) {
    callbacks_[std::string(name)] = std::make_shared<const std::function<void()>>(std::move(fn));
  } else {
    auto it = callbacks_.find(name);
    if (it != callbacks_.end())
      callbacks_.erase(it);
  }
}

std::shared_ptr<const std::function<void()>> registry::callback(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = callbacks_.find(name);
  return it == callbacks_.end() ? nullptr : it->second;
}

void registry::retire_if_active(point* p, snapshot* s) {
  std::lock_guard<std::mutex> lock(p->mutex);
  if (p->active.load(std::memory_order_acquire) == s) {
    swap_active(p, nullptr);
    p->changed.notify_all();  // wait_for() callers wait for the retirement (rare: once a chain)
  }
}

void registry::before_fork() {
  mutex_.lock();
  for (auto& entry : points_)
    entry.second->mutex.lock();
}

void registry::after_fork_parent() {
  for (auto& entry : points_)
    entry.second->mutex.unlock();
  mutex_.unlock();
}

void registry::after_fork_child() {
  // Only the forking thread exists in the child: nobody else can be paused, waiting or reading.
  for (auto& entry : points_) {
    point* p = entry.second.get();
    // Re-initialized, not destroyed: glibc's pthread_cond_destroy waits for the parent's
    // threads that were waiting on it (pause, wait_for), which do not exist here: it would
    // block forever. A condition variable holds no resource, so nothing leaks.
    new (&p->changed) std::condition_variable();
    p->waiters.store(0, std::memory_order_relaxed);
    if (snapshot* s = p->active.load(std::memory_order_relaxed))
      forget_batches_in_flight(s);
    p->mutex.unlock();
  }
  mutex_.unlock();
  readers_after_fork_child();
}

}  // namespace runtime_internal

// --- The entry points the site header declares. ---

namespace detail {

using runtime_internal::registry;
using runtime_internal::write_stderr;

void register_site(site* s) noexcept {
  try {
    registry::instance().add_site(s);
  } catch (const std::exception& e) {
    write_stderr(fmt::format("failpoint: cannot register failpoint \"{}\" at {}:{}: {}\n",
                             s->info.name, s->info.file, s->info.line, e.what()));
  }
}

void register_sites(site* const* begin, site* const* end) noexcept {
  // Every translation unit of a module hands over the module's whole section when it loads
  // (under the dynamic loader's lock); the first walks it. Modules are never unloaded (sites are
  // never unregistered), so a section's start identifies it for the life of the process. An
  // entry may repeat (the compiler copied the code around a site) or name a site another module
  // registered (an inline function's site, bound to one object by the loader).
  static std::mutex* const mutex = new std::mutex;  // leaked, like the registry
  static auto* const walked = new std::vector<site* const*>;
  std::lock_guard<std::mutex> lock(*mutex);
  if (begin == end || std::find(walked->begin(), walked->end(), begin) != walked->end())
    return;
  try {
    walked->push_back(begin);
  } catch (const std::bad_alloc&) {
    // Walked again by the next translation unit: each site registers once all the same.
  }
  for (; begin != end; ++begin) {
    if ((*begin)->point == nullptr)
      register_site(*begin);
  }
}

void release_snapshot(snapshot* s) noexcept {
  runtime_internal::release(s);
}

}  // namespace detail

namespace runtime_internal {
namespace {

// Creating the registry when the runtime library loads applies FAILPOINTS even in a program
// whose failpoints all live in libraries loaded later, and rejects a bad value at startup.
const bool environment_applied = (registry::instance(), true);

// A program that never hits a failpoint settles at exit: the runtime was loaded before the
// program, so this object is destroyed after the program's own static objects and atexit
// handlers have run.
struct settle_at_exit {
  ~settle_at_exit() {
    if (settle_pending.load(std::memory_order_relaxed))
      registry::instance().settle();
  }
} const settle_guard;

}  // namespace

}  // namespace runtime_internal
}  // namespace failpoint
