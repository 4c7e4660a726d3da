// runtime/readers.cpp: reader slots, the writer's wait, and the membarrier(2) set-up.
#include "runtime/readers.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

namespace failpoint {
namespace runtime_internal {
namespace {

std::atomic<reader_slot*> all_slots{nullptr};

bool membarrier_available() noexcept {
#if defined(__SANITIZE_THREAD__)
  return false;  // ThreadSanitizer cannot see the ordering membarrier gives
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return false;
#endif
#endif
#if defined(SYS_membarrier)
  const long commands = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0);
  if (commands < 0 || (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return false;
  return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0;
#else
  return false;
#endif
}

// Releases the thread's slot for reuse when the thread ends.
struct slot_owner {
  ~slot_owner() {
    reader_slot* slot = current_reader_slot;
    if (slot == nullptr)
      return;
    // A failpoint hit later in this thread's exit (another thread_local's destructor) takes a
    // slot of its own that is never given back; this one may go to a new thread.
    current_reader_slot = nullptr;
    exiting = true;
    slot->in_use.store(false, std::memory_order_release);
  }
  static thread_local bool exiting;
};
thread_local bool slot_owner::exiting = false;

}  // namespace

__thread reader_slot* current_reader_slot = nullptr;
bool readers_use_membarrier = membarrier_available();

reader_slot* acquire_reader_slot() noexcept {
  reader_slot* slot = nullptr;
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    bool expected = false;
    if (!s->in_use.load(std::memory_order_relaxed) &&
        s->in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      slot = s;
      // The runs stay (they are counted); the positions in the random streams are the ended
      // thread's: this thread starts its own from the beginning.
      for (thread_counts& c : slot->counts) {
        c.rolls.store(0, std::memory_order_relaxed);
        c.next_ready = false;
      }
      for (auto& block : slot->blocks) {
        if (counts_block* b = block.load(std::memory_order_relaxed)) {
          for (thread_counts& c : b->entries) {
            c.rolls.store(0, std::memory_order_relaxed);
            c.next_ready = false;
          }
        }
      }
      break;
    }
  }
  if (slot == nullptr) {
    slot = new (std::nothrow) reader_slot();
    if (slot == nullptr)
      std::terminate();
    slot->in_use.store(true, std::memory_order_relaxed);
    static std::atomic<std::uint32_t> slots_made{0};
    slot->lane_hint = slots_made.fetch_add(1, std::memory_order_relaxed);
    reader_slot* head = all_slots.load(std::memory_order_relaxed);
    do {
      slot->next = head;
    } while (!all_slots.compare_exchange_weak(head, slot, std::memory_order_acq_rel));
  }
  current_reader_slot = slot;
  if (!slot_owner::exiting) {
    static thread_local slot_owner owner;  // registers the release at thread exit
    (void)owner;
  }
  return slot;
}

void heavy_fence() noexcept {
  if (readers_use_membarrier) {
#if defined(SYS_membarrier)
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0);
#endif
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}

namespace {

// Returns when every read section open at the time of the call has closed: the fallback of
// retire_after_readers when it cannot allocate its lists.
void wait_for_readers() noexcept {
  heavy_fence();
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    const std::uint64_t seq = s->sequence.load(std::memory_order_seq_cst);
    if (seq % 2 == 1) {
      while (s->sequence.load(std::memory_order_acquire) == seq)
        std::this_thread::yield();
    }
  }
}

struct retired {
  void (*fn)(void*);
  void* arg;
};

// Deferred reclamation. `fresh` holds what was retired since the last observation; an
// observation (a heavy fence, then the list of sections open at that moment) moves them to
// `waiting`, which is released once every one of those sections has closed. Polled by every
// retirement, so a writer never waits: at worst what it retired is freed by a later writer.
struct reclaimer {
  std::mutex mutex;
  std::vector<retired> fresh;
  std::vector<retired> waiting;
  std::vector<std::pair<reader_slot*, std::uint64_t>> open;  // sections open at the observation
  bool observing = false;

  // Moves what may be released to `ready`; needs `mutex`.
  void poll(std::vector<retired>& ready) {
    if (observing) {
      for (const auto& [slot, seq] : open) {
        if (slot->sequence.load(std::memory_order_acquire) == seq)
          return;  // still open: everything waits for a later poll
      }
      observing = false;
      open.clear();
      ready.insert(ready.end(), waiting.begin(), waiting.end());
      waiting.clear();
    }
    if (fresh.empty())
      return;
    // Every retirer fenced after unpublishing, before queueing (retire_after_readers): a section
    // that may have loaded a pointer in `fresh` shows as open in this scan.
    for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
      const std::uint64_t seq = s->sequence.load(std::memory_order_seq_cst);
      if (seq % 2 == 1)
        open.emplace_back(s, seq);
    }
    if (open.empty()) {
      ready.insert(ready.end(), fresh.begin(), fresh.end());
    } else {
      waiting.swap(fresh);
      observing = true;
    }
    fresh.clear();
  }
};

reclaimer& the_reclaimer() {
  static reclaimer* const r = new reclaimer;  // never destroyed: writers may run after main
  return *r;
}

}  // namespace

void retire_after_readers(void (*fn)(void*), void* arg) noexcept {
  reclaimer& r = the_reclaimer();
  std::vector<retired> ready;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    try {
      r.fresh.push_back(retired{fn, arg});
    } catch (...) {
      // Out of memory: this one is released the old way, after waiting for the readers.
      wait_for_readers();
      fn(arg);
      return;
    }
    try {
      ready.reserve(r.fresh.size() + r.waiting.size());
      r.poll(ready);
    } catch (...) {
      // Queued: a later retirement releases it (an interrupted observation is taken again).
      r.open.clear();
      r.observing = false;
      r.fresh.insert(r.fresh.end(), r.waiting.begin(), r.waiting.end());
      r.waiting.clear();
    }
  }
  for (const retired& x : ready)
    x.fn(x.arg);
}

counts_block* allocate_counts_block(reader_slot* slot, std::uint32_t block) noexcept {
  auto* b = new (std::nothrow) counts_block();
  if (b != nullptr)
    slot->blocks[block].store(b, std::memory_order_release);
  return b;
}

namespace {

// A slot's counters for failpoint `index`, or null when it has none (no allocation).
thread_counts* counts_of(reader_slot* s, std::uint32_t index) noexcept {
  if (index >= counted_points)
    return nullptr;
  if (index < counts_in_slot)
    return &s->counts[index];
  const std::uint32_t at = index - counts_in_slot;
  counts_block* b = s->blocks[at / counts_per_block].load(std::memory_order_acquire);
  return b == nullptr ? nullptr : &b->entries[at % counts_per_block];
}

}  // namespace

bool steal_batched_run(std::uint32_t index, std::uint64_t generation,
                       const reader_slot* mine) noexcept {
  const std::uint64_t tag = batch_tag(generation);
  // Candidates in groups, so that one heavy fence serves a group: every top is read before it
  // and every bottom after it. A failed compare-and-swap means another thread took a run, so a
  // batch that held runs is tried again only in a new pass, with a new fence.
  constexpr std::size_t group = 32;
  thread_counts* batch[group];
  std::uint64_t tops[group];
  for (;;) {
    bool saw_runs = false;
    reader_slot* s = all_slots.load(std::memory_order_acquire);
    while (s != nullptr) {
      std::size_t n = 0;
      for (; s != nullptr && n < group; s = s->next) {
        if (s == mine)
          continue;
        thread_counts* c = counts_of(s, index);
        if (c == nullptr || c->generation.load(std::memory_order_acquire) != generation)
          continue;
        const std::uint64_t top = c->batch_top.load(std::memory_order_seq_cst);
        if ((top & ~0xffffffffULL) != tag)
          continue;
        batch[n] = c;
        tops[n] = top;
        ++n;
      }
      if (n == 0)
        continue;
      heavy_fence();
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t bottom = batch[i]->batch_bottom.load(std::memory_order_seq_cst);
        std::uint64_t top = tops[i];
        if (top >= bottom || (bottom & ~0xffffffffULL) != tag)
          continue;
        saw_runs = true;
        if (batch[i]->batch_top.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                                        std::memory_order_relaxed))
          return true;
      }
    }
    if (!saw_runs)
      return false;
  }
}

std::uint64_t batched_runs(std::uint32_t index, std::uint64_t generation) noexcept {
  const std::uint64_t tag = batch_tag(generation);
  std::uint64_t total = 0;
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    const thread_counts* c = counts_of(s, index);
    if (c == nullptr || c->generation.load(std::memory_order_acquire) != generation)
      continue;
    const std::uint64_t top = c->batch_top.load(std::memory_order_seq_cst);
    const std::uint64_t bottom = c->batch_bottom.load(std::memory_order_seq_cst);
    if ((top & ~0xffffffffULL) == tag && (bottom & ~0xffffffffULL) == tag && bottom > top)
      total += bottom - top;
  }
  return total;
}

std::uint64_t sum_runs(std::uint32_t index, std::uint64_t generation) noexcept {
  if (index >= counted_points)
    return 0;
  std::uint64_t total = 0;
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    const thread_counts* found = counts_of(s, index);
    if (found == nullptr)
      continue;
    const thread_counts& c = *found;
    if (c.generation.load(std::memory_order_acquire) != generation)
      continue;
    const std::uint64_t runs = c.runs.load(std::memory_order_seq_cst);
    // Still the same configuration after reading runs: they are its runs (see my_counts).
    if (c.generation.load(std::memory_order_acquire) == generation)
      total += runs;
  }
  return total;
}

void readers_after_fork_child() noexcept {
  // Whether membarrier registration survives fork() differs between kernels: register again, and
  // fall back to exchanges if that fails (only this thread exists, so switching is safe).
  if (readers_use_membarrier)
    readers_use_membarrier = membarrier_available();
  reader_slot* mine = current_reader_slot;
  for (reader_slot* s = all_slots.load(std::memory_order_relaxed); s != nullptr; s = s->next) {
    if (s == mine)
      continue;
    s->sequence.store(0, std::memory_order_relaxed);
    s->in_use.store(false, std::memory_order_relaxed);
  }
}

}  // namespace runtime_internal
}  // namespace failpoint
