// test/explorer/trace_probe.cpp: a program with failpoints that the trace tests run as a child
// process, with FAILPOINTS and FAILPOINTS_TRACE in its environment.
//   trace_probe hits N      hits probe.Flag (bool) N times, then probe.Void once
//   trace_probe exit        hits probe.Flag once, then _exit(3)
//   trace_probe sigkill     hits probe.Flag once, then SIGKILL to itself
//   trace_probe fork        hits probe.Flag twice, forks a child that hits it 3 times, once more
//   trace_probe threads N   N threads hit probe.Flag 100 times each
//   trace_probe oracle      runs `trace_probe hits 1` as a child, then prints what was injected
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "failpoint/explore.hpp"
#include "failpoint/failpoint.hpp"

namespace {

int fired = 0;

void hit_flag() {
  if (auto fp = FAILPOINT_VALUE("probe.Flag", bool)) {
    if (*fp)
      ++fired;
  }
}

void hit_void() {
  if (FAILPOINT("probe.Void")) {
    ++fired;
  }
}

int run_child(const char* self, const char* arg1, const char* arg2) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(self, self, arg1, arg2, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int n = argc > 2 ? std::atoi(argv[2]) : 0;
  if (mode == "hits") {
    for (int i = 0; i < n; ++i)
      hit_flag();
    hit_void();
  } else if (mode == "exit") {
    hit_flag();
    _exit(3);
  } else if (mode == "sigkill") {
    hit_flag();
    raise(SIGKILL);
  } else if (mode == "fork") {
    hit_flag();
    hit_flag();
    const pid_t pid = fork();
    if (pid == 0) {
      for (int i = 0; i < 3; ++i)
        hit_flag();
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    hit_flag();
  } else if (mode == "threads") {
    std::vector<std::thread> threads;
    for (int t = 0; t < n; ++t)
      threads.emplace_back([] {
        for (int i = 0; i < 100; ++i)
          hit_flag();
      });
    for (auto& t : threads)
      t.join();
  } else if (mode == "oracle") {
    run_child(argv[0], "hits", "1");
    std::printf("flag:%d void:%d any:%d\n", failpoint::was_injected("probe.Flag") ? 1 : 0,
                failpoint::was_injected("probe.Void") ? 1 : 0, failpoint::was_injected() ? 1 : 0);
    for (const auto& h : failpoint::injected())
      std::printf("injected %s k=%llu %s\n", h.name.c_str(), static_cast<unsigned long long>(h.hit),
                  h.action.c_str());
  } else {
    std::fprintf(stderr, "usage: trace_probe hits N|exit|sigkill|fork|threads N|oracle\n");
    return 2;
  }
  std::printf("fired %d\n", fired);
  return 0;
}
