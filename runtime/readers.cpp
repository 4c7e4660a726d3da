// runtime/readers.cpp: reader slots, the writer's wait, and the membarrier(2) set-up.
#include "runtime/readers.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <new>
#include <thread>
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

thread_local reader_slot* current_reader_slot = nullptr;
bool readers_use_membarrier = membarrier_available();

reader_slot* acquire_reader_slot() noexcept {
  reader_slot* slot = nullptr;
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    bool expected = false;
    if (!s->in_use.load(std::memory_order_relaxed) &&
        s->in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      slot = s;
      break;
    }
  }
  if (slot == nullptr) {
    slot = new (std::nothrow) reader_slot();
    if (slot == nullptr)
      std::terminate();
    slot->in_use.store(true, std::memory_order_relaxed);
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

void wait_for_readers() noexcept {
  if (readers_use_membarrier) {
#if defined(SYS_membarrier)
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0);
#endif
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  // Wait for every section open now (odd sequence) to move on; later sections see the new value.
  std::vector<std::pair<reader_slot*, std::uint64_t>> open;
  for (reader_slot* s = all_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    const std::uint64_t seq = s->sequence.load(std::memory_order_seq_cst);
    if (seq % 2 == 1)
      open.emplace_back(s, seq);
  }
  for (auto& [slot, seq] : open) {
    while (slot->sequence.load(std::memory_order_acquire) == seq)
      std::this_thread::yield();
  }
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
