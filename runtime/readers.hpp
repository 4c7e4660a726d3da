// runtime/readers.hpp: protection of a configuration snapshot while a thread evaluates it.
//
// An evaluating thread opens a read_section, loads the point's active snapshot, reads it, and
// closes the section before running any action that may block. A writer that unpublished a
// snapshot calls wait_for_readers() before dropping its reference: it returns once every section
// that may have loaded the old pointer has closed.
//
// Each thread owns a slot (a cache line) with a sequence number, odd while a section is open.
// Opening and closing a section are plain stores to the thread's own slot: no read-modify-write,
// no shared cache line between hitting threads. Where the kernel supports membarrier(2) with
// PRIVATE_EXPEDITED, the writer's membarrier orders those stores against the writer's scan;
// otherwise (old kernels, valgrind, ThreadSanitizer builds) sections open with a sequentially
// consistent exchange on the thread's own slot.
#ifndef FAILPOINT_RUNTIME_READERS_HPP
#define FAILPOINT_RUNTIME_READERS_HPP

#include <atomic>
#include <cstdint>

namespace failpoint {
namespace runtime_internal {

// One thread's slot. Slots are never freed; a slot whose thread ended is reused by a new thread.
struct alignas(64) reader_slot {
  std::atomic<std::uint64_t> sequence{0};  // odd while the owner is inside a read section
  std::atomic<bool> in_use{false};
  reader_slot* next = nullptr;  // the list of every slot, newest first
};

// The calling thread's slot, or null before its first read section. Initial-exec TLS: a direct
// thread-pointer access, no call (the runtime library is small enough for static TLS).
extern thread_local reader_slot* current_reader_slot __attribute__((tls_model("initial-exec")));

// Takes a free slot (or makes one) for the calling thread and stores it in current_reader_slot.
reader_slot* acquire_reader_slot() noexcept;

inline reader_slot* my_reader_slot() noexcept {
  reader_slot* slot = current_reader_slot;
  return slot != nullptr ? slot : acquire_reader_slot();
}

// True when writers issue membarrier(2), so readers need only compiler barriers.
extern bool readers_use_membarrier;

// An open read section of the calling thread. Not reentrant: one per thread at a time.
class read_section {
 public:
  read_section() noexcept : slot_(my_reader_slot()) {
    const std::uint64_t odd = slot_->sequence.load(std::memory_order_relaxed) + 1;
    if (readers_use_membarrier) {
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

// Returns when every read section open at the time of the call has closed. Call it after making
// the old pointer unreachable, before freeing what it pointed to. Never call it from inside a read
// section.
void wait_for_readers() noexcept;

// In a child after fork(): only the forking thread exists, so close every other slot.
void readers_after_fork_child() noexcept;

}  // namespace runtime_internal
}  // namespace failpoint

#endif  // FAILPOINT_RUNTIME_READERS_HPP
