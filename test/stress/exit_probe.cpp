// test/stress/exit_probe.cpp: returns from main while detached threads still hit failpoints and
// reconfigure them, so the process exits (static destructors, atexit handlers) under their feet.
// Exits with status 0 unless something crashes.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

namespace {

int exit_site() {
  if (auto fp = FAILPOINT_VALUE("exit.value", int))
    return *fp;
  return 0;
}

void exit_slow_site() {
  if (FAILPOINT("exit.slow")) {
  }
}

// A static object whose destructor also hits and reconfigures, racing the threads.
struct at_exit_user {
  ~at_exit_user() {
    failpoint::enable("exit.value", "return(2)");
    exit_site();
    failpoint::disable_all();
  }
} user;

}  // namespace

int main() {
  failpoint::enable("exit.value", "return(1)");
  failpoint::enable("exit.slow", "yield->sleep(1)");
  for (int i = 0; i < 4; ++i) {
    std::thread([] {
      for (;;) {
        exit_site();
        exit_slow_site();
      }
    }).detach();
  }
  std::thread([] {
    const char* terms[] = {"return(1)", "50%return(3)", "off", "2*return(4)->yield"};
    for (unsigned i = 0;; ++i) {
      failpoint::enable("exit.value", terms[i % 4]);
      failpoint::status("exit.value");
      if (i % 5 == 0)
        failpoint::disable("exit.slow");
      else if (i % 5 == 1)
        failpoint::enable("exit.slow", "sleep(1)");
    }
  }).detach();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  return 0;
}
