// test/explorer/planted.cpp: small programs with bugs planted at known (failpoint, hit, fault),
// which the explorer tests explore. Each mode is one program; it exits 0 when it works.
//   planted single     planted.Save (bool) hit 3 times: `true` at hit 2 loses a record (exit 1);
//                      planted.Log (no value) hit once, harmless
//   planted combo      planted.A then planted.B (bool), each hit once: only both `true` fail
//   planted threads    4 threads hit planted.Worker (bool) 10 times each: `true` aborts
//   planted crash      planted.Crash (no value): a broken invariant aborts (SIGABRT; abort and
//                      not SIGSEGV, which a sanitizer would report as its own finding)
//   planted hang       planted.Hang (no value): the program never ends
//   planted ubsan      planted.Overflow (int): the value overflows a signed addition (UBSan)
//   planted pairs      planted.P1 .. planted.P4 (int), each hit once: only P1 and P3 both -1
//                      fail (a bug a pair of faults triggers, for matrices)
//   planted flaky F    planted.Flaky hit twice in the first two runs (counted in file F), then
//                      once: a fault planned at hit 2 never fires
//   planted markup     planted.A then a failpoint whose name is markup (bool), each hit once:
//                      both `true` fail with markup and quotes on stderr; then planted.Crash (no
//                      value) aborts. For the HTML report, which must show all of it as text.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "failpoint/failpoint.hpp"

namespace {

// A store that handles a failed save by retrying, except at the second record (the bug).
int single() {
  int saved = 0;
  for (int record = 1; record <= 3; ++record) {
    bool failed = false;
    if (auto fp = FAILPOINT_VALUE("planted.Save", bool))
      failed = *fp;
    if (failed && record == 2)
      continue;  // the planted bug: the record is dropped instead of retried
    ++saved;
  }
  if (FAILPOINT("planted.Log")) {
    std::fprintf(stderr, "log line dropped (harmless)\n");
  }
  if (saved != 3) {
    std::fprintf(stderr, "Assertion failed: saved == 3 (saved %d)\n", saved);
    return 1;
  }
  return 0;
}

int combo() {
  bool a = false, b = false;
  if (auto fp = FAILPOINT_VALUE("planted.A", bool))
    a = *fp;
  if (auto fp = FAILPOINT_VALUE("planted.B", bool))
    b = *fp;
  if (a && b) {
    std::fprintf(stderr, "Assertion failed: both replicas down is not handled\n");
    return 1;
  }
  return 0;
}

int threads() {
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([] {
      for (int i = 0; i < 10; ++i) {
        if (auto fp = FAILPOINT_VALUE("planted.Worker", bool)) {
          if (*fp) {
            std::fprintf(stderr, "worker: unexpected state\n");
            std::abort();
          }
        }
      }
    });
  for (auto& w : workers)
    w.join();
  return 0;
}

int crash() {
  int pending = 0;
  if (FAILPOINT("planted.Crash")) {
    pending = -1;  // the planted bug: the error path leaves the counter broken...
  }
  if (pending < 0)
    std::abort();  // ...and an invariant check kills the process
  return 0;
}

int hang() {
  if (FAILPOINT("planted.Hang")) {
    for (;;)
      ::pause();  // the planted bug: waits for an answer that never comes
  }
  return 0;
}

int ubsan() {
  int base = INT_MAX - 1;
  int extra = 1;
  if (auto fp = FAILPOINT_VALUE("planted.Overflow", int))
    extra = *fp == 0 ? 2 : *fp;
  volatile int sum = base + extra;  // overflows when extra is 2
  return sum == INT_MAX ? 0 : 0;
}

// The failpoint's name and the failure's output hold markup a page must not run.
constexpr char markup_name[] = "planted.</script><script>injected()</script>'&lt'";

int markup() {
  bool a = false, m = false;
  if (auto fp = FAILPOINT_VALUE("planted.A", bool))
    a = *fp;
  if (auto fp = FAILPOINT_VALUE(markup_name, bool))
    m = *fp;
  if (a && m) {
    std::fprintf(stderr,
                 "Assertion failed: <script>injected()</script> \"both\" & 'down' <img src=x "
                 "onerror=\"injected()\"> </pre><b>bold</b>\n");
    return 1;
  }
  if (FAILPOINT("planted.Crash"))
    std::abort();
  return 0;
}

int pairs() {
  int values[4] = {1, 1, 1, 1};
  if (auto fp = FAILPOINT_VALUE("planted.P1", int))
    values[0] = *fp;
  if (auto fp = FAILPOINT_VALUE("planted.P2", int))
    values[1] = *fp;
  if (auto fp = FAILPOINT_VALUE("planted.P3", int))
    values[2] = *fp;
  if (auto fp = FAILPOINT_VALUE("planted.P4", int))
    values[3] = *fp;
  if (values[0] == -1 && values[2] == -1) {
    std::fprintf(stderr, "Assertion failed: both quotas negative\n");
    return 1;
  }
  return 0;
}

int flaky(const std::string& counter) {
  int runs = 0;
  std::ifstream(counter) >> runs;
  std::ofstream(counter) << runs + 1;
  const int hits = runs < 2 ? 2 : 1;
  for (int i = 0; i < hits; ++i) {
    if (FAILPOINT("planted.Flaky")) {
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "single")
    return single();
  if (mode == "combo")
    return combo();
  if (mode == "threads")
    return threads();
  if (mode == "crash")
    return crash();
  if (mode == "hang")
    return hang();
  if (mode == "ubsan")
    return ubsan();
  if (mode == "markup")
    return markup();
  if (mode == "pairs")
    return pairs();
  if (mode == "flaky" && argc > 2)
    return flaky(argv[2]);
  std::fprintf(stderr,
               "usage: planted single|combo|threads|crash|hang|ubsan|markup|pairs|flaky FILE\n");
  return 2;
}
