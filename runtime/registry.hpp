// runtime/registry.hpp: failpoints by name, their configuration snapshots, and evaluation.
//
// Ownership and concurrency, in short:
// - The registry and every point are created once and never destroyed, so a site hit during
//   static destruction or after main returns still finds them.
// - A point's configuration is an immutable, reference-counted snapshot. Enabling swaps in a new
//   snapshot; evaluation reads it inside a read section (runtime/readers.hpp: plain stores to the
//   thread's own slot) and copies out what a blocking action needs, so control never waits for a
//   thread that sleeps or pauses in the failpoint, and hitting threads never serialize.
// - Lock order: registry::mutex before point::mutex.
#ifndef FAILPOINT_RUNTIME_REGISTRY_HPP
#define FAILPOINT_RUNTIME_REGISTRY_HPP

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"
#include "runtime/terms.hpp"
#include "runtime/trace.hpp"

namespace failpoint {
namespace detail {

struct point;

// One enabled configuration of a point: the parsed terms plus their run-time counters.
struct snapshot {
  snapshot(parsed_terms parsed, point* owner);

  std::atomic<std::uint32_t> refs{1};
  parsed_terms parsed;
  std::unique_ptr<std::atomic<std::uint64_t>[]> remaining;  // per term with a count
  std::atomic<std::uint64_t> runs{0};   // terms run since this configuration was enabled
  std::atomic<std::uint64_t> rolls{0};  // probability rolls made, for the seeded sequence
  std::uint64_t stream;                 // this failpoint's random stream (a hash of its name)
  std::uint64_t generation = 0;         // the point's generation when this was enabled
  point* owner;
  bool can_exhaust;  // every term has a count, so the chain can be used up
};

// Adds a reference to a snapshot known to be alive.
inline void retain(snapshot* s) noexcept {
  s->refs.fetch_add(1, std::memory_order_relaxed);
}

// Everything the runtime knows about one failpoint name.
struct point {
  explicit point(std::string n) : name(std::move(n)) {}

  const std::string name;

  // Guards sites, generation, active, last, disabled and the condition variable's waits.
  std::mutex mutex;
  std::condition_variable changed;  // reconfiguration (pause) and runs (wait_for)
  std::vector<site*> sites;
  std::uint64_t generation = 0;  // bumped by every enable and disable

  // The configuration evaluated now; null when off or used up. Read lock-free by evaluators.
  std::atomic<snapshot*> active{nullptr};
  // Threads in wait_for; runs notify `changed` only when this is not zero.
  std::atomic<std::uint32_t> waiters{0};

  snapshot* last = nullptr;  // the latest configuration, kept after disable for its count
  bool disabled = true;      // explicitly disabled (status shows no terms)

  // Values that did not convert to the site's type since the last enable; reported once.
  std::atomic<std::uint64_t> mismatches{0};
  std::atomic<bool> mismatch_reported{false};

  trace_slot trace;  // this process's hit trace (runtime/trace.hpp)
};

// The process-wide registry. Created on first use and never destroyed.
class registry {
 public:
  // The registry; its creation applies FAILPOINTS and FAILPOINTS_SEED (exits on a bad value).
  static registry& instance();

  void add_site(site* s);

  // Applies parsed configurations all at once: first checks every entry (name registered, or
  // kept when keep_unknown; callback set) and throws before changing anything.
  // A null configuration disables.
  void apply(std::vector<std::pair<std::string, std::unique_ptr<parsed_terms>>> entries,
             bool keep_unknown);

  bool disable(std::string_view name);
  void disable_all();
  std::optional<failpoint_info> status(std::string_view name);
  std::vector<failpoint_info> list();
  std::vector<std::string> closest(std::string_view name, std::size_t max);
  bool wait_for(std::string_view name, std::uint64_t count, std::chrono::milliseconds timeout);
  void set_callback(std::string_view name, std::function<void()> fn);
  std::shared_ptr<const std::function<void()>> callback(const std::string& name);
  void set_seed(std::uint64_t seed) { seed_.store(seed, std::memory_order_relaxed); }
  std::uint64_t seed() const { return seed_.load(std::memory_order_relaxed); }

  // Removes `s` from `p->active` if it is still there (a used-up chain) and disarms the sites.
  static void retire_if_active(point* p, snapshot* s);

  // Fork handlers: hold every lock across fork(), reset them in the child.
  void before_fork();
  void after_fork_parent();
  void after_fork_child();

 private:
  registry();
  void apply_env();
  point* find(std::string_view name);                                               // needs mutex_
  std::vector<std::string> closest_locked(std::string_view name, std::size_t max);  // mutex_
  void configure(point* p, std::unique_ptr<parsed_terms> terms);                    // needs mutex_
  failpoint_info info_of(point* p);                                                 // needs mutex_

  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<point>, std::less<>> points_;
  std::map<std::string, std::unique_ptr<parsed_terms>, std::less<>> pending_;
  std::map<std::string, std::shared_ptr<const std::function<void()>>, std::less<>> callbacks_;
  std::atomic<std::uint64_t> seed_;
};

}  // namespace detail
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_REGISTRY_HPP
