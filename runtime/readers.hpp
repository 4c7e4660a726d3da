// runtime/readers.hpp: protection of a configuration snapshot while a thread evaluates it, the
// deferred reclamation of unpublished snapshots, and each thread's own counters.
//
// An evaluating thread opens a read_section, loads the point's active snapshot, reads it, and
// closes the section before running any action that may block. A writer that unpublished a
// snapshot hands its reference to retire_after_readers(): the reference is dropped later, once
// every section that may have loaded the old pointer has closed. The writer never waits for a
// reader (one preempted inside its section delays only the freeing, not the writer).
//
// Each thread owns a slot (a cache line) with a sequence number, odd while a section is open.
// Opening and closing a section are plain stores to the thread's own slot: no read-modify-write,
// no shared cache line between hitting threads. Where the kernel supports membarrier(2) with
// PRIVATE_EXPEDITED, a writer's membarrier orders those stores against its scan of the slots;
// otherwise (old kernels, valgrind, ThreadSanitizer builds) sections open with a sequentially
// consistent exchange on the thread's own slot.
//
// The slot also holds the thread's counters per failpoint (runs of terms without a count, and the
// position in its random stream): a hit writes only its own thread's memory, and status() sums.
#ifndef FAILPOINT_RUNTIME_READERS_HPP
#define FAILPOINT_RUNTIME_READERS_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace failpoint {
namespace runtime_internal {

// One thread's counters for one failpoint, valid for the configuration whose generation they
// carry. Written only by the owning thread; read by status() and wait_for() (a seqlock on
// `generation`: 0 while the owner resets them for a new configuration).
struct thread_counts {
  std::atomic<std::uint64_t> generation{0};
  std::atomic<std::uint64_t> runs{0};   // runs of terms without a count
  std::atomic<std::uint64_t> rolls{0};  // probability rolls made: the position in the stream
  // The owner's number for roll number `rolls`, drawn one roll ahead (see roll()); valid while
  // `next_ready` is set and `next_base` is the stream's current base. Owner only.
  std::uint64_t next_random = 0;
  std::uint64_t next_base = 0;
  bool next_ready = false;
  // The thread's batch of a large count's runs (see take_batched_run): the runs numbered
  // [batch_top, batch_bottom), each tagged with batch_tag(generation) in its upper half. The
  // owner takes from the bottom with plain stores; another thread whose own batch and the
  // term's lanes are empty takes from the top with a compare-and-swap.
  std::atomic<std::uint64_t> batch_top{0};
  std::atomic<std::uint64_t> batch_bottom{0};
};

// The tag of a configuration's batch positions: a thief that read a position of an older
// configuration fails its compare-and-swap instead of taking a run of the new one.
inline std::uint64_t batch_tag(std::uint64_t generation) noexcept {
  return generation << 32;
}

// Failpoints with per-thread counters: the first 128 (by creation) inside the slot itself, one
// load away from it; then blocks of 64, allocated on a thread's first hit of a failpoint in the
// block. A failpoint beyond the last block counts in shared counters instead.
inline constexpr std::uint32_t counts_in_slot = 128;
inline constexpr std::uint32_t counts_per_block = 64;
inline constexpr std::uint32_t count_blocks = 64;
inline constexpr std::uint32_t counted_points = counts_in_slot + counts_per_block * count_blocks;
struct counts_block {
  thread_counts entries[counts_per_block];
};

// One thread's slot. Slots are never freed; a slot whose thread ended is reused by a new thread
// (with its counters, which stay counted).
struct alignas(64) reader_slot {
  std::atomic<std::uint64_t> sequence{0};  // odd while the owner is inside a read section
  std::atomic<bool> in_use{false};
  // The lane of a counted term this thread takes its runs from first (runtime/registry.hpp,
  // count_lane): threads start on different lanes, and a thread whose lane ran dry moves to the
  // fullest one. Owner only.
  std::uint32_t lane_hint = 0;
  reader_slot* next = nullptr;  // the list of every slot, newest first
  std::atomic<counts_block*> blocks[count_blocks] = {};
  thread_counts counts[counts_in_slot];
};

// The calling thread's slot, or null before its first read section. Initial-exec TLS: a direct
// thread-pointer access, no call (the runtime library is small enough for static TLS); `__thread`
// rather than thread_local, so that no initialization check precedes the access.
extern __thread reader_slot* current_reader_slot __attribute__((tls_model("initial-exec")));

// Takes a free slot (or makes one) for the calling thread and stores it in current_reader_slot.
reader_slot* acquire_reader_slot() noexcept;

inline reader_slot* my_reader_slot() noexcept {
  reader_slot* slot = current_reader_slot;
  return slot != nullptr ? slot : acquire_reader_slot();
}

// True when writers issue membarrier(2), so readers need only compiler barriers.
extern bool readers_use_membarrier;

// readers_use_membarrier, hinted true: the hot path lays out the plain-store branch inline (the
// kernels this runs on have membarrier; valgrind and ThreadSanitizer builds take the other).
inline bool membarrier_orders_readers() noexcept {
  return __builtin_expect(readers_use_membarrier, 1);
}

// An open read section of the calling thread. Not reentrant: one per thread at a time.
class read_section {
 public:
  explicit read_section(reader_slot* slot) noexcept : slot_(slot) {
    const std::uint64_t odd = slot_->sequence.load(std::memory_order_relaxed) + 1;
    if (membarrier_orders_readers()) {
      slot_->sequence.store(odd, std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);
    } else {
      slot_->sequence.exchange(odd, std::memory_order_seq_cst);
    }
  }
  ~read_section() { leave(); }
  read_section(const read_section&) = delete;
  read_section& operator=(const read_section&) = delete;

  // Closes the section early (idempotent).
  void leave() noexcept {
    if (slot_ == nullptr)
      return;
    slot_->sequence.store(slot_->sequence.load(std::memory_order_relaxed) + 1,
                          std::memory_order_release);
    slot_ = nullptr;
  }

 private:
  reader_slot* slot_;
};

// Makes every other thread's earlier plain stores visible to the caller's later loads (and the
// caller's earlier stores to their later loads): membarrier(2), or a fence when readers use
// exchanges. The writer's half of the asymmetric fence the readers' compiler barriers pair with.
void heavy_fence() noexcept;

// Counterpart of heavy_fence on the hitting thread, between a store to its own counters and a
// load that must see a writer's earlier store (wait_for's waiters count).
inline void light_fence() noexcept {
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

// Calls fn(arg) once every read section that is open now has closed: at once when none is, else
// from a later call (a later reconfiguration polls). Never waits. Call it after making the old
// pointer unreachable and then calling heavy_fence(); never from inside a read section.
void retire_after_readers(void (*fn)(void*), void* arg) noexcept;

// Allocates block `block` of the slot's counters (out of line; once per thread and 64
// failpoints); null when memory ran out.
counts_block* allocate_counts_block(reader_slot* slot, std::uint32_t block) noexcept;

// The slot's counters for failpoint number `index` as they are: null when `index` is beyond the
// per-thread blocks or its block is not allocated yet (my_counts allocates it).
inline thread_counts* existing_counts(reader_slot* slot, std::uint32_t index) noexcept {
  if (__builtin_expect(index < counts_in_slot, 1))
    return &slot->counts[index];
  if (index >= counted_points)
    return nullptr;
  const std::uint32_t at = index - counts_in_slot;
  counts_block* const b = slot->blocks[at / counts_per_block].load(std::memory_order_relaxed);
  return b == nullptr ? nullptr : &b->entries[at % counts_per_block];
}

// The calling thread's counters for failpoint number `index`, set to `generation` (reset when
// they counted another configuration); null when `index` is beyond the per-thread blocks or
// memory ran out (the caller counts in the shared counters).
inline thread_counts* my_counts(reader_slot* slot, std::uint32_t index,
                                std::uint64_t generation) noexcept {
  thread_counts* found = existing_counts(slot, index);
  if (found == nullptr) {
    if (index >= counted_points)
      return nullptr;
    const std::uint32_t block = (index - counts_in_slot) / counts_per_block;
    counts_block* const b = allocate_counts_block(slot, block);
    if (b == nullptr)
      return nullptr;
    found = &b->entries[(index - counts_in_slot) % counts_per_block];
  }
  thread_counts& c = *found;
  if (c.generation.load(std::memory_order_relaxed) != generation) {
    // A reader that sees the reset runs (release) sees generation 0 or the new one after it.
    c.generation.store(0, std::memory_order_relaxed);
    c.runs.store(0, std::memory_order_release);
    c.rolls.store(0, std::memory_order_relaxed);
    c.next_ready = false;
    c.batch_top.store(batch_tag(generation), std::memory_order_relaxed);
    c.batch_bottom.store(batch_tag(generation), std::memory_order_relaxed);
    c.generation.store(generation, std::memory_order_release);
  }
  return &c;
}

// Counts one run in the calling thread's counters. A release store (a plain store on x86) when
// writers use membarrier; otherwise a sequentially consistent add, which orders it before the
// caller's load of the waiters count (wait_for's heavy_fence is the other half).
inline void count_run(thread_counts& c) noexcept {
  if (membarrier_orders_readers()) {
    c.runs.store(c.runs.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    light_fence();
  } else {
    c.runs.fetch_add(1, std::memory_order_seq_cst);
  }
}

// Orders the owner's store to its batch's bottom before its load of the top (the thief's side
// is heavy_fence): a compiler barrier when writers issue membarrier(2), else a full fence.
inline void batch_fence() noexcept {
  if (membarrier_orders_readers()) {
    light_fence();
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}

// What the owner's take from its batch found.
enum class batch_take { empty, took, took_last };

// Takes one run from the calling thread's own batch: the owner's half of a work-stealing deque
// (Chase and Lev) whose items are interchangeable runs. Plain loads and stores unless one run is
// left, which the owner and a thief may both want: then a compare-and-swap decides.
inline batch_take take_batched_run(thread_counts& c) noexcept {
  std::uint64_t bottom = c.batch_bottom.load(std::memory_order_relaxed);
  std::uint64_t top = c.batch_top.load(std::memory_order_relaxed);
  if (bottom <= top)
    return batch_take::empty;
  --bottom;
  c.batch_bottom.store(bottom, std::memory_order_relaxed);
  batch_fence();
  top = c.batch_top.load(std::memory_order_relaxed);
  if (top < bottom)
    return batch_take::took;
  if (top == bottom) {
    const bool won = c.batch_top.compare_exchange_strong(top, top + 1, std::memory_order_seq_cst,
                                                         std::memory_order_relaxed);
    c.batch_bottom.store(bottom + 1, std::memory_order_relaxed);
    return won ? batch_take::took_last : batch_take::empty;
  }
  c.batch_bottom.store(bottom + 1, std::memory_order_relaxed);  // thieves took the rest
  return batch_take::empty;
}

// Puts `runs` runs into the calling thread's batch, which is empty.
inline void refill_batch(thread_counts& c, std::uint64_t runs) noexcept {
  const std::uint64_t top = c.batch_top.load(std::memory_order_relaxed);
  c.batch_bottom.store(top + runs, std::memory_order_release);
}

// Takes one run from another thread's batch of failpoint `index` in configuration `generation`
// (the thief's half: a heavy fence between reading a batch's top and its bottom). False when no
// batch holds a run. Slow (one membarrier per 32 threads): for the end of a count only.
bool steal_batched_run(std::uint32_t index, std::uint64_t generation,
                       const reader_slot* mine) noexcept;

// Runs left in every thread's batch of failpoint `index` in configuration `generation`.
std::uint64_t batched_runs(std::uint32_t index, std::uint64_t generation) noexcept;

// Sum over every thread of the runs counted for failpoint `index` in configuration `generation`.
std::uint64_t sum_runs(std::uint32_t index, std::uint64_t generation) noexcept;

// In a child after fork(): only the forking thread exists, so close every other slot.
void readers_after_fork_child() noexcept;

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_READERS_HPP
