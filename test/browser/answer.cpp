// test/browser/answer.cpp: the program the page test switches from the browser. Every 10 ms it
// computes its answer, 0 unless the failpoint page/answer returns a value, and prints
// "answer N" each time the answer changes. page/slow is there to be listed. Ends after 120 s
// at the latest (a test that forgot it).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "failpoint/failpoint.hpp"

int main() {
  ::alarm(120);
  long last = -1;
  for (;;) {
    long answer = 0;
    if (auto fp = FAILPOINT_VALUE("page/answer", int))
      answer = *fp;
    if (FAILPOINT("page/slow")) {
    }
    if (answer != last) {
      std::printf("answer %ld\n", answer);
      std::fflush(stdout);
      last = answer;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
