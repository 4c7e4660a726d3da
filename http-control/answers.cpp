// http-control/answers.cpp: see answers.hpp.
#include "answers.hpp"

#include <utility>

namespace failpoint {
namespace http_internal {

void answer_count::begin() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++in_flight_;
}

void answer_count::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--in_flight_ == 0)
    idle_.notify_all();
}

bool answer_count::wait_idle(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, limit, [this] { return in_flight_ == 0; });
}

int answer_count::in_flight() {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_;
}

pending_answer& pending_answer::operator=(pending_answer&& other) noexcept {
  if (this != &other) {
    release();
    count_ = std::exchange(other.count_, nullptr);
  }
  return *this;
}

void pending_answer::release() noexcept {
  if (count_ != nullptr)
    std::exchange(count_, nullptr)->end();
}

}  // namespace http_internal
}  // namespace failpoint
