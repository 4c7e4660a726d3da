// runtime/evaluation.cpp: what a hit of an armed site does: walk the chain, roll, count, run the
// action, and the work after a run (wake waiters, retire a used-up chain).
#include <csignal>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "failpoint/error.hpp"

#include "runtime/readers.hpp"
#include "runtime/registry.hpp"
#include "runtime/site_values.hpp"

namespace failpoint {
namespace runtime_internal {
namespace {

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Rolls the dice for a term with probability threshold/2^64: the calling thread's next number
// in the failpoint's stream, a function of the seed, the failpoint's name and how many rolls the
// thread made in this configuration. Every thread draws the same sequence, so the same seed and
// the same sequence of hits give the same outcomes in each thread, whatever the other threads do
// and whichever order they started in. Inlined into the evaluation: as a call it cost a
// `99%return(1)` hit a nanosecond.
[[gnu::always_inline]] inline bool roll(snapshot* snap, std::uint64_t threshold,
                                        thread_counts* counts) noexcept {
  if (threshold == 0)
    return false;
  const std::uint64_t base = seed_key.load(std::memory_order_relaxed) ^ snap->stream;
  if (counts == nullptr) {
    const std::uint64_t n = snap->shared_rolls.fetch_add(1, std::memory_order_relaxed);
    return splitmix64(base + n * 0x9e3779b97f4a7c15ULL) < threshold;
  }
  const std::uint64_t n = counts->rolls.load(std::memory_order_relaxed);
  counts->rolls.store(n + 1, std::memory_order_relaxed);
  // This roll's number was drawn by the previous roll, so the outcome waits for a load instead of
  // the generator's chain of multiplies: a mispredicted outcome (every other hit of a 50% term)
  // is found out sooner. The next number is drawn meanwhile.
  const std::uint64_t number =
      FAILPOINT_DETAIL_UNLIKELY(!counts->next_ready || counts->next_base != base)
          ? splitmix64(base + n * 0x9e3779b97f4a7c15ULL)
          : counts->next_random;
  counts->next_random = splitmix64(base + (n + 1) * 0x9e3779b97f4a7c15ULL);
  counts->next_base = base;
  counts->next_ready = true;
  return number < threshold;
}

// Uses one run of a lane of a counted term; false when the lane is empty. `was_last` tells that
// this run emptied the lane (the term may be used up: the caller checks every lane).
bool take_one(std::atomic<std::uint64_t>& lane, bool& was_last) noexcept {
  std::uint64_t left = lane.load(std::memory_order_relaxed);
  while (left != 0) {
    if (lane.compare_exchange_weak(left, left - 1, std::memory_order_seq_cst,
                                   std::memory_order_relaxed)) {
      was_last = left == 1;
      return true;
    }
  }
  return false;
}

// Uses one run of a counted term whose lane for this thread was empty: from the fullest lane,
// which becomes the thread's lane. The scan starts after the thread's own lane, so that threads
// whose lanes ran dry at once pick different lanes among equally full ones. False only when
// every lane is empty (the term is used up).
[[gnu::noinline]] bool take_from_fullest_lane(count_lane* lanes, std::uint32_t lane_mask,
                                              reader_slot* slot, bool& was_last) noexcept {
  for (;;) {
    std::uint32_t fullest = 0;
    std::uint64_t most = 0;
    for (std::uint32_t step = 1; step <= lane_mask + 1; ++step) {
      const std::uint32_t lane = (slot->lane_hint + step) & lane_mask;
      const std::uint64_t left = lanes[lane].left.load(std::memory_order_seq_cst);
      if (left > most) {
        most = left;
        fullest = lane;
      }
    }
    if (most == 0)
      return false;  // lanes only ever shrink: every run was taken
    slot->lane_hint = fullest;
    if (take_one(lanes[fullest].left, was_last))
      return true;
  }
}

// True when every lane of a counted term is empty.
bool lanes_empty(const count_lane* lanes, std::uint32_t lane_mask) noexcept {
  for (std::uint32_t lane = 0; lane <= lane_mask; ++lane) {
    if (lanes[lane].left.load(std::memory_order_seq_cst) != 0)
      return false;
  }
  return true;
}

// Takes up to `most` runs from one lane; how many it took (0 when the lane is empty).
std::uint64_t take_many(std::atomic<std::uint64_t>& lane, std::uint64_t most) noexcept {
  std::uint64_t left = lane.load(std::memory_order_relaxed);
  while (left != 0) {
    const std::uint64_t take = left < most ? left : most;
    if (lane.compare_exchange_weak(left, left - take, std::memory_order_seq_cst,
                                   std::memory_order_relaxed))
      return take;
  }
  return 0;
}

// One run of a batched term for a thread whose batch is empty: a new batch from the term's
// lanes (this thread's lane, else the fullest), a sixteenth of what the lane holds and at most
// batch_runs_max, so that little is held in batches when the count runs low; once every lane is
// empty, a run from another thread's batch. `was_last` asks the caller to check whether the
// chain is used up. False when no run is left anywhere.
[[gnu::noinline]] bool refill_or_steal(snapshot* snap, count_lane* lanes, std::uint32_t lane_mask,
                                       reader_slot* slot, thread_counts& counts,
                                       bool& was_last) noexcept {
  for (;;) {
    std::uint32_t lane = slot->lane_hint & lane_mask;
    std::uint64_t left = lanes[lane].left.load(std::memory_order_relaxed);
    if (left == 0) {
      std::uint64_t most = 0;
      for (std::uint32_t step = 1; step <= lane_mask + 1; ++step) {
        const std::uint32_t other = (slot->lane_hint + step) & lane_mask;
        const std::uint64_t n = lanes[other].left.load(std::memory_order_seq_cst);
        if (n > most) {
          most = n;
          lane = other;
        }
      }
      if (most == 0)
        break;
      slot->lane_hint = lane;
      left = most;
    }
    std::uint64_t want = left / 16;
    want = want < 1 ? 1 : want > batch_runs_max ? batch_runs_max : want;
    // Counted as taken before the runs leave the lane and as landed once they are in the batch,
    // so that other threads know runs are on their way (count_lane).
    count_lane& from = lanes[lane];
    from.batches_taken.fetch_add(1, std::memory_order_seq_cst);
    const std::uint64_t got = take_many(from.left, want);
    if (got > 1)
      refill_batch(counts, got - 1);  // one run is this hit's
    from.batches_landed.fetch_add(1, std::memory_order_seq_cst);
    if (got == 0)
      continue;  // another thread emptied the lane meanwhile
    was_last = got == 1 && lanes_empty(lanes, lane_mask);
    return true;
  }
  // Every lane is empty, and lanes only shrink: the runs left are in threads' batches, or on
  // their way to one from a lane (not stealable yet). None is left only when a look at every
  // batch found none while no batch was on its way.
  for (;;) {
    const std::uint64_t landed = lane_sum(lanes, lane_mask, &count_lane::batches_landed);
    if (steal_batched_run(snap->owner->index, snap->generation, slot)) {
      was_last = true;
      return true;
    }
    if (lane_sum(lanes, lane_mask, &count_lane::batches_taken) == landed)
      return false;
    wait_for_batch_in_flight();
  }
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
  if (spec_of(t.act).carries_message && t.val.kind == value_kind::string)
    a.message = t.text;
  return a;
}

std::string with_message(const char* what, const std::string& name, const std::string& message) {
  return message.empty() ? fmt::format("failpoint {}: {}\n", what, name)
                         : fmt::format("failpoint {}: {}: {}\n", what, name, message);
}

// Runs an action whose row in the table of actions says it may end the process: `panic` writes
// its message and aborts, `break` raises SIGTRAP (a debugger may let the thread go on).
void end_process(point* p, const pending_action& a) {
  if (a.act == action::panic) {
    write_stderr(with_message("panic", p->name, a.message));
    run_before_process_end();
    std::abort();
  }
  run_before_process_end();
  std::raise(SIGTRAP);
}

// Performs an action other than `return`.
void run_action(point* p, const pending_action& a) {
  if (spec_of(a.act).may_end_process) {
    end_process(p, a);
    return;
  }
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
    case action::break_:
      return;  // end_process above
    case action::print:
      write_stderr(with_message("print", p->name, a.message));
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

// The rest of a hit whose term `i` runs and needs more than returning a number: a string value,
// an action other than `return`, tracing, wait_for() callers to wake, or a used-up chain. Out of
// line, so that the common path keeps a small frame. Closes `guard`.
[[gnu::noinline]] detail::raw_hit run_term(site& s, point* p, snapshot* snap, std::size_t i,
                                           bool was_last, read_section& guard) {
  const term& t = snap->parsed.terms[i];
  trace_hit(s, i, t.act);
  const bool notify = p->waiters.load(std::memory_order_seq_cst) != 0;
  snapshot* used = nullptr;
  if (was_last && snap->can_exhaust && used_up(snap)) {
    retain(snap);
    used = snap;
  }
  if (t.act == action::return_) {
    detail::raw_hit h{static_cast<std::uint64_t>(t.val.kind) + 1,
                      static_cast<std::uint64_t>(t.val.integer)};
    if (t.val.kind == detail::value_kind::string) {
      // A string's bytes live in the snapshot: the hit keeps it alive.
      retain(snap);
      h.word |= static_cast<std::uint64_t>(i) << 8;
      h.payload = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(snap));
    }
    guard.leave();
    after_run(p, notify, used);
    return h;
  }
  const pending_action action = pending_action_of(t, snap);
  guard.leave();
  after_run(p, notify, used);
  run_action(p, action);
  return detail::raw_hit{0, 0};
}

}  // namespace
}  // namespace runtime_internal

namespace detail {

using namespace runtime_internal;

namespace {

// What an evaluation found: the raw hit, and for a value the number types it fits
// (number_rows_fitting).
struct evaluated {
  raw_hit hit;
  std::uint64_t fitting_rows;
};

// A hit of a point whose configuration has fast hits (registry.hpp, fast_hit_state): counts the
// run in the thread's counters and yields the first term's word, payload and fitting rows without
// opening a read section or reading the snapshot. False, having done nothing, when the hit needs
// the full evaluation: no fast state (or it is being replaced), the settle check is pending, the
// thread's counters are not yet set to this configuration (its first hit resets them, and
// allocates their block beyond the slot's own 128), or the hit is traced. After a true, the caller
// wakes wait_for() callers when `notify` says so, as the full evaluation does: the waiters count is
// read after the run is counted.
[[gnu::always_inline]] inline bool fast_hit(site& s, evaluated& out, bool& notify) noexcept {
  point* const p = static_cast<point*>(s.point);
  if (p == nullptr)
    return false;
  const std::uint64_t generation = p->fast.generation.load(std::memory_order_acquire);
  // Its own branch: the configurations without fast hits (a probability, a count) leave here.
  if (generation == 0)
    return false;
  const std::uint64_t word = p->fast.word.load(std::memory_order_relaxed);
  const std::uint64_t payload = p->fast.payload.load(std::memory_order_relaxed);
  const std::uint64_t fitting_rows = p->fast.fitting_rows.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  reader_slot* const slot = current_reader_slot;
  const std::uint32_t index = p->index;
  if (FAILPOINT_DETAIL_UNLIKELY(p->fast.generation.load(std::memory_order_relaxed) != generation))
    return false;
  if (FAILPOINT_DETAIL_UNLIKELY(slot == nullptr))
    return false;
  if (FAILPOINT_DETAIL_UNLIKELY(settle_pending.load(std::memory_order_relaxed) ||
                                trace_on.load(std::memory_order_relaxed)))
    return false;
  // Null until the full evaluation allocated the block of a failpoint beyond the slot's own.
  thread_counts* const counts = existing_counts(slot, index);
  if (FAILPOINT_DETAIL_UNLIKELY(counts == nullptr))
    return false;
  if (FAILPOINT_DETAIL_UNLIKELY(counts->generation.load(std::memory_order_relaxed) != generation))
    return false;
  count_run(*counts);
  notify = p->waiters.load(std::memory_order_seq_cst) != 0;
  out = evaluated{raw_hit{word, payload}, fitting_rows};
  return true;
}

// Wakes the wait_for() callers of the site's failpoint after a fast hit.
void notify_waiters(site& s) noexcept {
  try {
    after_run(static_cast<point*>(s.point), true, nullptr);
  } catch (...) {
  }
}

// The full evaluation, inlined into the out-of-line paths of evaluate(), evaluate_plain() and
// evaluate_number().
[[gnu::always_inline]] inline evaluated evaluate_full(site& s) {
  // The first hit of any failpoint settles the configuration (registry::settle); until then
  // every site is armed.
  if (FAILPOINT_DETAIL_UNLIKELY(settle_pending.load(std::memory_order_relaxed)))
    registry::instance().settle();
  point* p = static_cast<point*>(s.point);
  if (p == nullptr)
    return evaluated{raw_hit{0, 0}, 0};
  reader_slot* const slot = my_reader_slot();
  read_section guard(slot);
  snapshot* snap = p->active.load(std::memory_order_seq_cst);
  if (snap == nullptr)
    return evaluated{raw_hit{0, 0}, 0};
  // This thread's counters for the configuration (null beyond the per-thread blocks): nearly
  // every hit needs them, and looking them up first starts their loads early.
  thread_counts* const counts = my_counts(slot, p->index, snap->generation);
  const term_plan* const plans = snap->plans.get();
  const std::size_t n = snap->parsed.terms.size();
  for (std::size_t i = 0; i < n; ++i) {
    const term_plan& t = plans[i];
    if (t.threshold != ~std::uint64_t(0)) {
      if (!roll(snap, t.threshold, counts))
        continue;
    }
    bool was_last = false;
    if (t.counted) {
      // Counted by its own count (runs_of adds the used runs): a compare-and-swap on one of the
      // term's lanes, which keeps `N*` exact across threads.
      count_lane* const lanes = snap->lanes.get() + t.first_lane;
      bool took;
      if (t.batched && counts != nullptr) {
        // From this thread's batch, else a new batch or another thread's run.
        switch (take_batched_run(*counts)) {
          case batch_take::took:
            took = true;
            break;
          case batch_take::took_last:
            took = true;
            was_last = lanes_empty(lanes, t.lane_mask);
            break;
          case batch_take::empty:
          default:
            took = refill_or_steal(snap, lanes, t.lane_mask, slot, *counts, was_last);
            break;
        }
      } else {
        took = take_one(lanes[slot->lane_hint & t.lane_mask].left, was_last) ||
               (t.lane_mask != 0 && take_from_fullest_lane(lanes, t.lane_mask, slot, was_last));
      }
      if (!took)
        continue;
    } else {
      if (counts != nullptr) {
        count_run(*counts);
      } else {
        snap->shared_runs.fetch_add(1, std::memory_order_seq_cst);
      }
    }
    // This term runs.
    // Read before the section closes (run_term closes it): the plan may go then.
    const std::uint64_t fitting_rows = t.fitting_rows;
    if (FAILPOINT_DETAIL_UNLIKELY(t.slow | was_last | trace_on.load(std::memory_order_relaxed) |
                                  (p->waiters.load(std::memory_order_seq_cst) != 0)))
      return evaluated{run_term(s, p, snap, i, was_last, guard), fitting_rows};
    const evaluated e{raw_hit{t.word, t.payload}, fitting_rows};
    guard.leave();
    return e;
  }
  return evaluated{raw_hit{0, 0}, 0};
}

[[gnu::noinline]] raw_hit evaluate_slow(site& s) {
  return evaluate_full(s).hit;
}

bool plain_of(site& s, raw_hit r) {
  if (r.word == 0)
    return false;
  if ((r.word & 0xff) == static_cast<std::uint64_t>(value_kind::none) + 1)
    return true;
  const hit h(r);
  report_mismatch(s, h.get(), "this failpoint carries no value");
  return false;
}

[[gnu::noinline]] bool evaluate_plain_slow(site& s) {
  return plain_of(s, evaluate_full(s).hit);
}

// Whether a number hit fits the type `word` describes: its row's bit in the value's fitting rows.
bool fits_number(const evaluated& e, std::uint64_t word) noexcept {
  return (e.fitting_rows >> number_row(word)) & 1;
}

// A number site's result: a value that does not fit its type is reported by check_number and
// does not fire.
number_hit number_of(site& s, const evaluated& e, std::uint64_t word) {
  // No branch on whether the failpoint fired: under `50%return(1)` that outcome is random, and a
  // branch on it here would be mispredicted on top of the site's own branch on the hit.
  if (FAILPOINT_DETAIL_UNLIKELY((e.hit.word != 0) & !fits_number(e, word)))
    return check_number(s, e.hit, word);
  return number_hit{e.hit.word != 0, static_cast<std::int64_t>(e.hit.payload)};
}

[[gnu::noinline]] number_hit evaluate_number_slow(site& s, std::uint64_t word) {
  return number_of(s, evaluate_full(s), word);
}

// The rare ends of a fast hit, out of line so that the fast hit itself makes no call and needs
// no stack frame (its other calls are tail calls): wait_for() callers to wake, or a value that
// does not fit the site's type.
[[gnu::noinline]] raw_hit raw_after_waiters(site& s, raw_hit r) noexcept {
  notify_waiters(s);
  return r;
}
[[gnu::noinline]] bool plain_after_fast_hit(site& s, raw_hit r, bool notify) {
  if (notify)
    notify_waiters(s);
  return plain_of(s, r);
}
// (The hit comes in its three words, not as `evaluated`, so that every argument is a register.)
[[gnu::noinline]] number_hit number_after_fast_hit(site& s, std::uint64_t hit_word,
                                                   std::uint64_t payload,
                                                   std::uint64_t fitting_rows, std::uint64_t word,
                                                   bool notify) {
  if (notify)
    notify_waiters(s);
  return number_of(s, evaluated{raw_hit{hit_word, payload}, fitting_rows}, word);
}

}  // namespace

// Each entry point tries the fast hit and otherwise tail-calls its out-of-line full evaluation.

raw_hit evaluate(site& s) {
  evaluated e;
  bool notify;
  if (!fast_hit(s, e, notify))
    return evaluate_slow(s);
  if (FAILPOINT_DETAIL_UNLIKELY(notify))
    return raw_after_waiters(s, e.hit);
  return e.hit;
}

bool evaluate_plain(site& s) {
  evaluated e;
  bool notify;
  if (!fast_hit(s, e, notify))
    return evaluate_plain_slow(s);
  const bool plain = e.hit.word == static_cast<std::uint64_t>(value_kind::none) + 1;
  if (FAILPOINT_DETAIL_UNLIKELY(notify | ((e.hit.word != 0) & !plain)))
    return plain_after_fast_hit(s, e.hit, notify);
  return plain;
}

number_hit evaluate_number(site& s, std::uint64_t word) {
  evaluated e;
  bool notify;
  if (!fast_hit(s, e, notify))
    return evaluate_number_slow(s, word);
  const bool fired = e.hit.word != 0;
  if (FAILPOINT_DETAIL_UNLIKELY(notify | (fired & !fits_number(e, word))))
    return number_after_fast_hit(s, e.hit.word, e.hit.payload, e.fitting_rows, word, notify);
  return number_hit{fired, static_cast<std::int64_t>(e.hit.payload)};
}

value string_value(raw_hit h) noexcept {
  const auto* snap = reinterpret_cast<const snapshot*>(static_cast<std::uintptr_t>(h.payload));
  return snap->parsed.terms[h.word >> 8].val;
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

}  // namespace detail
}  // namespace failpoint
