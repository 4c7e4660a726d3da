// examples/retry: gofail's label example. A failpoint's code may jump to a label written as a
// comment (`// failpoint: RETRY:`); the rewriter turns that comment into the label `RETRY:;`.
// Here every hit of the failpoint Fails makes one delivery attempt fail, and the code retries:
//
//   FAILPOINTS='retry.Fails=3*return' ./retry_example     # 3 retries, then delivered
//   FAILPOINTS='retry.Fails=return' ./retry_example       # gives up after 5 retries
//
// Without failpoints (or in a normal build, where the comments stay comments) the first attempt
// succeeds. It prints one line per attempt, then `delivered after N retries` (exit 0) or
// `gave up after N retries` (exit 1).
#include <cstdio>
#include <string>

namespace {

// How many times a failed delivery is tried again before giving up.
constexpr int max_retries = 5;

// Delivers `message`, retrying a failed attempt up to max_retries times. Returns whether it was
// delivered; `retries` says how many attempts were repeated.
bool deliver(const std::string& message, int& retries) {
  retries = 0;
  // failpoint: RETRY:
  std::printf("attempt %d: sending \"%s\"\n", retries + 1, message.c_str());
  // failpoint: var Fails
  // std::printf("attempt %d failed\n", retries + 1);
  // if (retries == max_retries) return false;
  // ++retries;
  // goto RETRY;
  return true;
}

}  // namespace

int main() {
  int retries = 0;
  const bool delivered = deliver("hello", retries);
  std::printf("%s after %d retries\n", delivered ? "delivered" : "gave up", retries);
  return delivered ? 0 : 1;
}
