// test/http/child.cpp: a program the endpoint tests run as a child process.
//
// It links failpoint::http but calls none of its functions: the endpoint starts only from
// FAILPOINTS_HTTP (this also checks that --as-needed keeps the library). It writes nothing to
// stdout. Modes (argv[1]):
//   serve       two threads hit "child/hit" and "child/value" until stdin ends
//   panic-loop  a thread hits "child/panic" in a tight loop; main waits for stdin to end
//   exit        returns from main at once
//   hook-panic, hook-break   sets a failpoint::set_before_process_end function that writes
//               "before process end" to stdout, enables "child/panic" with `panic` (or
//               `break`) and hits it: the process ends right after the function ran
// Every mode ends by returning from main (so exit() runs with the endpoint still up); a 60 s
// alarm bounds a child that a broken test forgot.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

namespace {

std::atomic<bool> done{false};
std::atomic<long> sink{0};

void hit_loop() {
  while (!done.load()) {
    if (FAILPOINT("child/hit"))
      sink.fetch_add(1);
    if (auto fp = FAILPOINT_VALUE("child/value", int))
      sink.fetch_add(*fp);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void panic_loop() {
  while (!done.load()) {
    if (FAILPOINT("child/panic"))
      sink.fetch_add(1);
  }
}

void wait_for_stdin_end() {
  char buf[64];
  while (::read(0, buf, sizeof buf) > 0) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::alarm(60);
  const char* mode = argc > 1 ? argv[1] : "serve";
  if (FAILPOINT("child/never"))
    sink.fetch_add(1);  // registered, never hit again
  std::vector<std::thread> threads;
  if (std::strcmp(mode, "exit") == 0)
    return 0;
  if (std::strcmp(mode, "hook-panic") == 0 || std::strcmp(mode, "hook-break") == 0) {
    failpoint::set_before_process_end([] {
      const char text[] = "before process end\n";
      (void)!::write(1, text, sizeof text - 1);
    });
    failpoint::enable("child/panic", std::strcmp(mode, "hook-panic") == 0 ? "panic" : "break");
    panic_loop();
    return 0;
  }
  if (std::strcmp(mode, "panic-loop") == 0) {
    threads.emplace_back(panic_loop);
  } else {
    threads.emplace_back(hit_loop);
    threads.emplace_back(hit_loop);
  }
  wait_for_stdin_end();
  done = true;
  for (auto& t : threads)
    t.join();
  return 0;
}
