// http-control/answers.hpp: control answers in flight, so that a failpoint that ends the process
// lets them out first.
//
// Internal header. The server counts every request that may change a failpoint from before the
// change is applied until its response is written or its connection is gone; the function the
// endpoint gives failpoint::set_before_process_end waits (bounded) until none is left. So a 204
// means "applied", and a client whose change makes another thread panic still gets its 204.
#ifndef FAILPOINT_HTTP_CONTROL_ANSWERS_HPP
#define FAILPOINT_HTTP_CONTROL_ANSWERS_HPP

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace failpoint {
namespace http_internal {

// How long a `panic` or `break` waits for answers in flight. Writing a small response to a
// connected client takes microseconds; only a client that stopped reading can hold it up, and it
// must not delay the end of the process for long.
inline constexpr std::chrono::milliseconds k_answer_grace{1000};

// A count of answers in flight with a condition variable to wait for none. Thread-safe.
class answer_count {
 public:
  void begin();
  void end();
  // Blocks until no answer is in flight or `limit` passes; returns whether none is.
  bool wait_idle(std::chrono::milliseconds limit);
  int in_flight();

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;
};

// One answer in flight: counted from construction until release() or destruction. Movable.
class pending_answer {
 public:
  pending_answer() = default;
  explicit pending_answer(answer_count& count) : count_(&count) { count.begin(); }
  pending_answer(pending_answer&& other) noexcept : count_(other.count_) { other.count_ = nullptr; }
  pending_answer& operator=(pending_answer&& other) noexcept;
  pending_answer(const pending_answer&) = delete;
  pending_answer& operator=(const pending_answer&) = delete;
  ~pending_answer() { release(); }
  void release() noexcept;

 private:
  answer_count* count_ = nullptr;
};

}  // namespace http_internal
}  // namespace failpoint

#endif  // FAILPOINT_HTTP_CONTROL_ANSWERS_HPP
