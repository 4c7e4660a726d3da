// runtime/registry.hpp: failpoints by name and their configuration snapshots. The registry
// (registry.cpp) owns names, configuration, status, listing and fork handling; evaluation.cpp
// evaluates armed sites against the snapshots defined here.
//
// Ownership and concurrency, in short:
// - The registry and every point are created once and never destroyed, so a site hit during
//   static destruction or after main returns still finds them.
// - A point's configuration is an immutable, reference-counted snapshot. Enabling swaps in a new
//   snapshot and hands the old one to deferred reclamation; evaluation reads it inside a read
//   section (runtime/readers.hpp: plain stores to the thread's own slot) and copies out what a
//   blocking action needs, so control never waits for a hitting thread (one that sleeps, pauses
//   or was preempted in the failpoint), and hitting threads never serialize.
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

#include "runtime/result.hpp"
#include "runtime/terms.hpp"
#include "runtime/trace.hpp"

namespace failpoint {
namespace detail {

// The two types the site header names (failpoint/failpoint.hpp) are defined here, in its
// namespace; everything else of the runtime is in runtime_internal.

struct point;

// What evaluation needs of one term, in 40 bytes.
struct term_plan {
  std::uint64_t threshold;     // a roll below this runs the term; all ones: no probability
  std::uint64_t word;          // raw_hit::word when it returns a number, a boolean or no value
  std::uint64_t payload;       // raw_hit::payload likewise
  std::uint64_t fitting_rows;  // the number types its value fits (number_rows_fitting)
  bool counted;                // has a count (its lanes, from snapshot::lanes[first_lane])
  bool slow;                   // anything but such a return: evaluated out of line
  std::uint8_t lane_mask;      // the term's lanes minus one: 0 or count_lanes_per_term - 1
  bool batched;                // threads take its runs in batches (snapshot::batched_term)
  std::uint32_t first_lane;
};

// Part of a counted term's remaining runs, on a cache line of its own. A large count is split
// over count_lanes_per_term lanes so that threads hitting at once take runs with compare-and-swaps
// on different lines; a run is taken from exactly one lane, so `N*` stays exact over threads, and
// a term is used up only when every lane is empty. A small count has one lane. 128 bytes apart:
// Intel's adjacent-line prefetcher fetches lines in pairs, so lanes 64 bytes apart still bounce.
//
// A batched term's runs go from a lane to a thread's batch in two steps (taken from `left`, then
// put in the batch), so between them they are in neither. A thread that takes a batch counts it in
// `batches_taken` before it touches `left`, and in `batches_landed` once the runs are in its batch;
// a scan of the lanes and batches that finds the sums equal before and after it saw no batch on
// its way and counted every run exactly once (lane_sum). Both live on the
// lane's line, which the taker holds already, so they cost it no cache miss.
struct alignas(128) count_lane {
  std::atomic<std::uint64_t> left{0};
  std::atomic<std::uint64_t> batches_taken{0};
  std::atomic<std::uint64_t> batches_landed{0};
};
inline constexpr std::uint32_t count_lanes_per_term = 8;
// Counts from this size on are split (each lane then holds at least 128 runs).
inline constexpr std::uint64_t split_count_from = 1024;
// The first split count of a chain below this size is also taken in per-thread batches
// (runtime/readers.hpp, take_batched_run): a thread takes up to batch_runs_max runs from a lane
// with one compare-and-swap and uses them with plain stores, since a locked instruction costs a
// core 20 cycles or more even on a line nobody else touches. (Batch positions are 32 bits.)
inline constexpr std::uint64_t batch_count_below = std::uint64_t(1) << 31;
inline constexpr std::uint64_t batch_runs_max = 64;

// One enabled configuration of a point: the parsed terms plus their run-time counters.
struct snapshot {
  snapshot(runtime_internal::parsed_terms parsed, point* owner);

  std::atomic<std::uint32_t> refs{1};
  runtime_internal::parsed_terms parsed;
  std::unique_ptr<count_lane[]> lanes;  // the counted terms' remaining runs
  std::unique_ptr<term_plan[]> plans;   // per term
  // Runs of terms without a count and rolls made by threads without per-thread counters
  // (runtime/readers.hpp); the other runs are in the threads' counters and in `remaining`.
  std::atomic<std::uint64_t> shared_runs{0};
  std::atomic<std::uint64_t> shared_rolls{0};
  std::uint64_t stream;          // this failpoint's random stream (a hash of its name)
  std::uint64_t generation = 0;  // the point's generation when this was enabled
  point* owner;
  bool can_exhaust;               // every term has a count, so the chain can be used up
  bool has_batched_term = false;  // one term's runs are taken in per-thread batches
  // The first term always runs and only counts and returns a number or nothing: hits take the
  // point's fast_hit_state instead (plans[0]'s word and payload).
  bool fast_hits = false;
  // Set when the snapshot stops being active (owner's mutex): its runs from then on. A hit that
  // loaded it just before may still count a run in its thread's counters; the count stays the
  // one seen when the failpoint was reconfigured (the reconfiguration does not wait for it).
  bool frozen = false;
  std::uint64_t frozen_runs = 0;
};

// What every hit of a point returns while its configuration starts with a term that always runs
// and only counts and returns (`off`, `return`, `return(7)`, `return(true)`: no count, no
// probability, no string): the hit then reads these three words instead of the snapshot, with no
// read section. A seqlock on `generation`, written under the point's mutex by swap_active: 0 while
// there is no such configuration or it is being replaced, else the configuration's generation,
// which no other configuration of the point ever has (so a reader that sees the same generation
// before and after reading the other words read one configuration's words).
struct fast_hit_state {
  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::uint64_t> word{0};  // the term's term_plan::word, payload and fitting_rows
  std::atomic<std::uint64_t> payload{0};
  std::atomic<std::uint64_t> fitting_rows{0};
};

// Everything the runtime knows about one failpoint name. The fields every hit reads come first,
// on one cache line.
struct alignas(64) point {
  point(std::string n, std::uint32_t i) : index(i), name(std::move(n)) {}

  const std::uint32_t index;  // 0, 1, 2... in creation order: the slot of its per-thread counters
  // Threads in wait_for; runs notify `changed` only when this is not zero.
  std::atomic<std::uint32_t> waiters{0};
  fast_hit_state fast;
  // The configuration evaluated now; null when off or used up. Read lock-free by evaluators.
  std::atomic<snapshot*> active{nullptr};

  const std::string name;

  // Guards sites, generation, active, last, disabled and the condition variable's waits.
  std::mutex mutex;
  std::condition_variable changed;  // reconfiguration (pause) and runs (wait_for)
  std::vector<site*> sites;
  std::uint64_t generation = 0;  // bumped by every enable and disable

  snapshot* last = nullptr;  // the latest configuration, kept after disable for its count
  bool disabled = true;      // explicitly disabled (status shows no terms)

  // Values that did not convert to the site's type since the last enable; reported once.
  std::atomic<std::uint64_t> mismatches{0};
  std::atomic<bool> mismatch_reported{false};

  runtime_internal::trace_slot trace;  // this process's hit trace (runtime/trace.hpp)
};

}  // namespace detail

namespace runtime_internal {

using detail::batch_runs_max;
using detail::count_lane;
using detail::point;
using detail::site;
using detail::snapshot;
using detail::term_plan;

// Adds a reference to a snapshot known to be alive.
inline void retain(snapshot* s) noexcept {
  s->refs.fetch_add(1, std::memory_order_relaxed);
}

// Drops a reference; the last one deletes the snapshot.
inline void release(snapshot* s) noexcept {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete s;
}

// Runs of the snapshot's terms so far (needs the owner's mutex): the counted terms' used counts,
// the shared counter and every thread's counters while it is active; once replaced, the runs
// counted when it was replaced.
std::uint64_t runs_of(const snapshot* snap) noexcept;

// The sum of one of a term's lanes' counters (count_lane::left, batches_taken, batches_landed).
// The batch sums are equal when no batch is on its way from a lane to a thread: read the landed
// sum before looking at the runs and the taken sum after.
std::uint64_t lane_sum(const count_lane* lanes, std::uint32_t lane_mask,
                       std::atomic<std::uint64_t> count_lane::*counter) noexcept;

// Lets a batch on its way from a lane to another thread land (that thread may be preempted
// between the two steps) before the caller looks at the runs again.
void wait_for_batch_in_flight() noexcept;

// In a child after fork(): marks every batch on its way as landed (its thread does not exist
// there, and its runs went with it), so that no scan waits for it.
void forget_batches_in_flight(snapshot* snap) noexcept;

// The runs term `i` has left: the sum of its lanes and, for a batched term, of the threads'
// batches (0 for a term without a count). Each run is counted once: a scan that overlapped a batch
// on its way from a lane to a thread is made again. Exact once no thread hits the failpoint.
std::uint64_t remaining_runs(const snapshot* snap, std::size_t i) noexcept;

// True when every counted term of the snapshot is used up. With a batched term, a heavy fence
// first, so that of two threads taking the last runs of their batches at once at least one sees
// both batches empty.
bool used_up(const snapshot* snap) noexcept;

// Writes a whole message to stderr with as few write(2) calls as possible (no stdio buffering,
// so messages from a thread about to abort are not lost and do not interleave).
void write_stderr(const std::string& message) noexcept;

// A value as a term spells it: 7, true, "text", or "no value".
std::string describe_value(const value& v);

// The process-wide registry. Created on first use and never destroyed.
class registry {
 public:
  // The registry; its creation applies FAILPOINTS and FAILPOINTS_SEED (exits on a bad value).
  static registry& instance();

  void add_site(site* s);

  // One failpoint's new configuration: terms, or null to disable. `later`: a name not
  // registered yet is kept for a site that registers later instead of being an error.
  struct change {
    std::string name;
    std::unique_ptr<parsed_terms> terms;
    bool later = false;
  };

  // Applies configurations all at once: first checks every change (name registered or
  // `later`, callback set, values fit the sites' types) and changes nothing on an error.
  outcome apply(std::vector<change> changes);

  bool disable(std::string_view name);
  void disable_all();
  std::optional<failpoint_info> status(std::string_view name);
  std::vector<failpoint_info> list();
  std::vector<std::string> closest(std::string_view name, std::size_t max);
  result<bool> wait_for(std::string_view name, std::uint64_t count,
                        std::chrono::milliseconds timeout);
  void set_callback(std::string_view name, std::function<void()> fn);
  std::shared_ptr<const std::function<void()>> callback(const std::string& name);
  void set_seed(std::uint64_t seed);
  std::uint64_t seed() const { return seed_.load(std::memory_order_relaxed); }

  // The settle check, run once when the program's own initializers have run and its failpoints
  // are registered: every FAILPOINTS name must have a site (unless marked "?") and its values
  // must fit the sites' types, else the process ends with status 1 naming the closest names;
  // FAILPOINTS_HTTP without an endpoint to serve it is reported on stderr.
  // No hook runs between a program's static initializers and main() for a shared library, so
  // the moment is the first hit of any failpoint (every site stays armed until then; see
  // settle_pending) or, for a program that hits none, the process exit.
  void settle() noexcept;

  // The HTTP endpoint library is loaded: FAILPOINTS_HTTP has a server.
  void http_present();

  // Removes `s` from `p->active` if it is still there (a used-up chain) and disarms the sites.
  static void retire_if_active(point* p, snapshot* s);

  // Fork handlers: hold every lock across fork(), reset them in the child.
  void before_fork();
  void after_fork_parent();
  void after_fork_child();

 private:
  registry();
  void apply_env();
  point* find(std::string_view name);               // needs mutex_
  error unknown_name_error(std::string_view name);  // mutex_
  result<std::vector<std::string>> check_types(point* p, const parsed_terms& terms);  // mutex_
  void report_unreachable(point* p, const parsed_terms& terms, const site* s);        // p->mutex
  // The message for a FAILPOINTS_HTTP nothing serves, once; nullopt otherwise. Needs mutex_.
  std::optional<std::string> unserved_http_locked();
  std::vector<std::string> closest_locked(std::string_view name, std::size_t max);  // mutex_
  void configure(point* p, std::unique_ptr<parsed_terms> terms);                    // needs mutex_
  failpoint_info info_of(point* p);                                                 // needs mutex_

  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<point>, std::less<>> points_;
  std::map<std::string, std::unique_ptr<parsed_terms>, std::less<>> pending_;
  std::map<std::string, std::shared_ptr<const std::function<void()>>, std::less<>> callbacks_;
  std::atomic<std::uint64_t> seed_;

  // FAILPOINTS entries, checked by settle().
  struct env_check {
    std::string name;
    std::shared_ptr<const parsed_terms> terms;  // null: the entry leaves the failpoint off
    bool later;                                 // "?name": may stay unregistered
  };
  std::vector<env_check> env_checks_;
  bool settled_ = false;  // needs mutex_
  std::atomic<bool> http_present_{false};
  bool http_wanted_ = false;    // FAILPOINTS_HTTP is set (read once)
  bool http_reported_ = false;  // needs mutex_
};

// "no failpoint named NAME is registered[; did you mean ...?]".
std::string unknown_name_message(const std::string& name,
                                 const std::vector<std::string>& suggestions);

// How many names a "did you mean" message offers.
inline constexpr std::size_t max_suggestions = 3;

// The seed's contribution to every random stream (a hash of FAILPOINTS_SEED or set_seed's
// value), read by each probability roll.
extern std::atomic<std::uint64_t> seed_key;

// True until settle() ran, in a process whose FAILPOINTS or FAILPOINTS_HTTP needs the check.
// Read by every evaluation of an armed site (a relaxed load).
extern std::atomic<bool> settle_pending;

// Runs the function set by failpoint::set_before_process_end (runtime/control.cpp), if any.
void run_before_process_end() noexcept;

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_REGISTRY_HPP
