// runtime/registry.cpp: registration, configuration, evaluation of failpoints.
#include "runtime/registry.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <new>
#include <random>
#include <thread>

#include "failpoint/error.hpp"
#include "runtime/readers.hpp"

namespace failpoint {
namespace detail {
namespace {

// Writes a whole message to stderr with as few write(2) calls as possible (no stdio buffering,
// so messages from a thread about to abort are not lost and do not interleave).
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

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_name(const std::string& name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

void release(snapshot* s) noexcept {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete s;
}

// Replaces the active snapshot (caller holds p->mutex) and drops the reference `active` held,
// once no evaluator can still be reading it.
void swap_active(point* p, snapshot* next) noexcept {
  snapshot* old = p->active.exchange(next, std::memory_order_seq_cst);
  const bool armed = next != nullptr;
  for (site* s : p->sites)
    s->armed.store(armed, std::memory_order_release);
  if (old == nullptr)
    return;
  wait_for_readers();
  release(old);
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
      return fmt::format("\"{}\"", std::string_view(v.text, v.size));
  }
  return "?";
}

// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours
// as one edit (optimal string alignment), so "itn" is one edit from "int".
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
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.size(), b.size());
}

// Rolls the dice for a `P%` term: reproducible from the seed, the name and the roll's index.
bool roll(snapshot* snap, double percent) noexcept {
  if (percent >= 100.0)
    return true;
  if (percent <= 0.0)
    return false;
  const std::uint64_t n = snap->rolls.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t x = splitmix64(registry::instance().seed() ^ splitmix64(snap->stream + n));
  const double u = static_cast<double>(x >> 11) * 0x1.0p-53 * 100.0;
  return u < percent;
}

// Uses one run of a counted term; false when its count is used up.
bool take_one(std::atomic<std::uint64_t>& remaining, bool& was_last) noexcept {
  std::uint64_t left = remaining.load(std::memory_order_relaxed);
  while (left != 0) {
    if (remaining.compare_exchange_weak(left, left - 1, std::memory_order_acq_rel)) {
      was_last = left == 1;
      return true;
    }
  }
  return false;
}

bool used_up(const snapshot* snap) noexcept {
  for (std::size_t i = 0; i < snap->parsed.terms.size(); ++i) {
    if (snap->remaining[i].load(std::memory_order_acquire) != 0)
      return false;
  }
  return true;
}

void pause_until_reconfigured(point* p, std::uint64_t generation) {
  std::unique_lock<std::mutex> lock(p->mutex);
  p->changed.wait(lock, [&] { return p->generation != generation; });
}

// What the term that ran asks for, copied out of the snapshot so that the action runs after the
// evaluation has let go of it: a thread in sleep or pause holds nothing.
struct pending_action {
  action act;
  std::chrono::nanoseconds duration;
  std::string message;  // panic, print, throw
  std::uint64_t generation;
};

pending_action pending_action_of(const term& t, const snapshot* snap) {
  pending_action a{t.act, t.duration, {}, snap->generation};
  const bool has_message =
      t.act == action::panic || t.act == action::print || t.act == action::throw_;
  if (has_message && t.val.kind == value_kind::string)
    a.message = t.text;
  return a;
}

std::string with_message(const char* what, const std::string& name, const std::string& message) {
  return message.empty() ? fmt::format("failpoint {}: {}\n", what, name)
                         : fmt::format("failpoint {}: {}: {}\n", what, name, message);
}

// Performs an action other than `return`.
void run_action(point* p, const pending_action& a) {
  switch (a.act) {
    case action::return_:
    case action::off:
      return;
    case action::sleep:
      std::this_thread::sleep_for(a.duration);
      return;
    case action::delay: {
      const auto deadline = std::chrono::steady_clock::now() + a.duration;
      while (std::chrono::steady_clock::now() < deadline) {
      }
      return;
    }
    case action::yield:
      std::this_thread::yield();
      return;
    case action::panic:
      write_stderr(with_message("panic", p->name, a.message));
      std::abort();
    case action::print:
      write_stderr(with_message("print", p->name, a.message));
      return;
    case action::break_:
      std::raise(SIGTRAP);
      return;
    case action::pause:
      pause_until_reconfigured(p, a.generation);
      return;
    case action::throw_:
      throw injected_error(p->name, a.message);
    case action::callback: {
      auto fn = registry::instance().callback(p->name);
      if (fn && *fn) {
        (*fn)();
      } else {
        write_stderr(
            fmt::format("failpoint: {}: callback term ran but no callback is set\n", p->name));
      }
      return;
    }
  }
}

// Work after a term ran, outside the read guard: wakes wait_for() callers, and retires a
// configuration whose terms are all used up (its sites go back to the zero-cost path).
void after_run(point* p, bool notify, snapshot* used_up_snapshot) {
  if (notify) {
    { std::lock_guard<std::mutex> lock(p->mutex); }
    p->changed.notify_all();
  }
  if (used_up_snapshot != nullptr) {
    registry::retire_if_active(p, used_up_snapshot);
    release(used_up_snapshot);
  }
}

[[noreturn]] void exit_on_bad_environment(const std::string& message) {
  write_stderr(fmt::format("failpoint: {}\n", message));
  std::exit(1);
}

}  // namespace

snapshot::snapshot(parsed_terms p, point* o)
    : parsed(std::move(p)),
      remaining(new std::atomic<std::uint64_t>[parsed.terms.size()]),
      stream(hash_name(o->name)),
      owner(o),
      can_exhaust(true) {
  parsed.fix_pointers();
  for (std::size_t i = 0; i < parsed.terms.size(); ++i) {
    const auto& count = parsed.terms[i].count;
    remaining[i].store(count ? *count : 0, std::memory_order_relaxed);
    if (!count)
      can_exhaust = false;
  }
}

registry& registry::instance() {
  static registry* const r = new registry();  // never destroyed: sites may run after main
  return *r;
}

registry::registry() : seed_(std::random_device{}()) {
  pthread_atfork([] { registry::instance().before_fork(); },
                 [] { registry::instance().after_fork_parent(); },
                 [] { registry::instance().after_fork_child(); });
  trace_init();
  apply_env();
}

// FAILPOINTS_SEED=n and FAILPOINTS="name=terms;..." are read once, when the registry is created
// (at the latest when the runtime library is loaded). A bad value ends the process with status 1:
// a fault test that silently runs without its faults would pass for the wrong reason.
void registry::apply_env() {
  if (const char* seed = std::getenv("FAILPOINTS_SEED")) {
    char* end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(seed, &end, 10);
    if (*seed == '\0' || *seed == '-' || *end != '\0' || errno != 0)
      exit_on_bad_environment(
          fmt::format("FAILPOINTS_SEED=\"{}\" is not a whole number from 0 to 2^64-1", seed));
    seed_.store(value, std::memory_order_relaxed);
  }
  const char* spec = std::getenv("FAILPOINTS");
  if (spec == nullptr)
    return;
  try {
    for (auto& [name, terms] : split_spec(spec)) {
      try {
        pending_[name] =
            terms.empty() ? nullptr : std::make_unique<parsed_terms>(parse_terms(terms));
      } catch (const config_error& e) {
        exit_on_bad_environment(
            fmt::format("FAILPOINTS entry for \"{}\" is malformed: {}", name, e.what()));
      }
    }
  } catch (const config_error& e) {
    exit_on_bad_environment(fmt::format("FAILPOINTS is malformed: {}", e.what()));
  }
}

void registry::add_site(site* s) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = points_.find(s->info.name);
  const bool created = it == points_.end();
  if (created)
    it = points_.emplace(s->info.name, std::make_unique<point>(s->info.name)).first;
  point* p = it->second.get();
  {
    std::lock_guard<std::mutex> point_lock(p->mutex);
    p->sites.push_back(s);
    s->point = p;
    s->armed.store(p->active.load(std::memory_order_acquire) != nullptr, std::memory_order_release);
  }
  auto pending = pending_.find(s->info.name);
  if (pending != pending_.end()) {
    std::unique_ptr<parsed_terms> terms = std::move(pending->second);
    pending_.erase(pending);
    if (terms)
      configure(p, std::move(terms));
  } else if (created && trace_arms_all()) {
    configure(p, std::make_unique<parsed_terms>(parse_terms("off")));  // so that reach is traced
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

void registry::apply(std::vector<std::pair<std::string, std::unique_ptr<parsed_terms>>> entries,
                     bool keep_unknown) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, terms] : entries) {
    if (find(name) == nullptr && !keep_unknown) {
      auto suggestions = closest_locked(name, 3);
      throw unknown_failpoint(name, std::move(suggestions));
    }
    if (!terms)
      continue;
    for (const term& t : terms->terms) {
      if (t.act == action::callback && callbacks_.find(name) == callbacks_.end()) {
        const std::size_t at = terms->source.find("callback");
        throw config_error(
            fmt::format("in \"{}\" at byte {}: no callback is set for failpoint \"{}\"; call "
                        "failpoint::set_callback first",
                        terms->source, at, name),
            at);
      }
    }
  }
  for (auto& [name, terms] : entries) {
    if (point* p = find(name)) {
      configure(p, std::move(terms));
    } else {
      pending_[name] = std::move(terms);
    }
  }
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
    info.count = p->last->runs.load(std::memory_order_acquire);
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

bool registry::wait_for(std::string_view name, std::uint64_t count,
                        std::chrono::milliseconds timeout) {
  point* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    p = find(name);
    if (p == nullptr)
      throw unknown_failpoint(std::string(name), closest_locked(name, 3));
  }
  p->waiters.fetch_add(1, std::memory_order_seq_cst);
  std::unique_lock<std::mutex> lock(p->mutex);
  const bool reached = p->changed.wait_for(lock, timeout, [&] {
    // A count of 0 is reached at once, even by a failpoint never enabled (no `last` yet).
    if (count == 0)
      return true;
    snapshot* last = p->last;
    if (last == nullptr || last->runs.load(std::memory_order_seq_cst) < count)
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
    p->mutex.unlock();
  }
  mutex_.unlock();
  readers_after_fork_child();
}

// --- The entry points the site header declares. ---

void register_site(site* s) noexcept {
  try {
    registry::instance().add_site(s);
  } catch (const std::exception& e) {
    write_stderr(fmt::format("failpoint: cannot register failpoint \"{}\" at {}:{}: {}\n",
                             s->info.name, s->info.file, s->info.line, e.what()));
  }
}

void release_snapshot(snapshot* s) noexcept {
  release(s);
}

hit evaluate(site& s) {
  point* p = static_cast<point*>(s.point);
  if (p == nullptr)
    return hit();
  read_section guard;
  snapshot* snap = p->active.load(std::memory_order_seq_cst);
  if (snap == nullptr)
    return hit();
  const auto& terms = snap->parsed.terms;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const term& t = terms[i];
    if (t.percent && !roll(snap, *t.percent))
      continue;
    bool was_last = false;
    if (t.count && !take_one(snap->remaining[i], was_last))
      continue;
    // This term runs.
    snap->runs.fetch_add(1, std::memory_order_seq_cst);
    trace_hit(s, i, t.act);
    const bool notify = p->waiters.load(std::memory_order_seq_cst) != 0;
    snapshot* used = nullptr;
    if (was_last && snap->can_exhaust && used_up(snap)) {
      retain(snap);
      used = snap;
    }
    if (t.act == action::return_) {
      // A string's bytes live in the snapshot: the hit keeps it alive. Other values are copied.
      snapshot* owner = nullptr;
      if (t.val.kind == value_kind::string) {
        retain(snap);
        owner = snap;
      }
      hit h(t.val, owner);
      guard.leave();
      after_run(p, notify, used);
      return h;
    }
    const pending_action action = pending_action_of(t, snap);
    guard.leave();
    after_run(p, notify, used);
    run_action(p, action);
    return hit();
  }
  return hit();
}

void report_mismatch(site& s, const value& v, const char* reason) noexcept {
  point* p = static_cast<point*>(s.point);
  if (p == nullptr)
    return;
  p->mismatches.fetch_add(1, std::memory_order_relaxed);
  if (p->mismatch_reported.exchange(true, std::memory_order_relaxed))
    return;
  try {
    write_stderr(fmt::format(
        "failpoint: {}:{}: value {} does not fit failpoint \"{}\" of type {}: {}; the failpoint's "
        "code did not run (reported once)\n",
        s.info.file, s.info.line, describe_value(v), p->name,
        *s.info.type ? s.info.type : "(no value)", reason));
  } catch (...) {
  }
}

namespace {
// Creating the registry when the runtime library loads applies FAILPOINTS even in a program
// whose failpoints all live in libraries loaded later, and rejects a bad value at startup.
const bool environment_applied = (registry::instance(), true);
}  // namespace

}  // namespace detail
}  // namespace failpoint
