// test/runtime/env_probe.cpp: a program the environment and life-cycle tests run as a child.
//   env_probe values        prints the values its sites produce at the start of main
//   env_probe rolls N       hits a 50% site N times, prints a 0/1 string
//   env_probe plugin PATH   hits probe.int, then loads PATH with dlopen and prints what its
//                           failpoint returns
//   env_probe flag          prints what the bool failpoint probe.flag gives
//   env_probe none          hits no failpoint, prints "ran"
//   env_probe main          hits no failpoint, writes "main" to stderr as main starts
//   env_probe exit          hits a failpoint from a static destructor and an atexit handler
//   env_probe init          prints what probe.init gave a static initializer (PROBE_INIT=1)
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

namespace {

int probe_int() {
  if (auto fp = FAILPOINT_VALUE("probe.int", int))
    return *fp;
  return -1;
}

std::string probe_string() {
  if (auto fp = FAILPOINT_VALUE("probe.string", std::string))
    return *fp;
  return "default";
}

bool probe_flag() {
  if (auto fp = FAILPOINT_VALUE("probe.flag", bool))
    return *fp;
  return false;
}

// Hit by a static initializer when PROBE_INIT is set (other modes must hit nothing before main):
// sites register before any static initializer runs.
int probe_init() {
  if (auto fp = FAILPOINT_VALUE("probe.init", int))
    return *fp;
  return -1;
}
const int value_at_init = std::getenv("PROBE_INIT") != nullptr ? probe_init() : 0;

bool probe_roll() {
  return static_cast<bool>(FAILPOINT("probe.roll"));
}

void probe_exit_hit(const char* when) {
  if (FAILPOINT("probe.exit"))
    std::printf("fired %s\n", when);
}

struct hits_on_destruction {
  ~hits_on_destruction() { probe_exit_hit("in a static destructor"); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return 2;
  const std::string mode = argv[1];
  if (mode == "values") {
    std::printf("int=%d string=%s\n", probe_int(), probe_string().c_str());
    return 0;
  }
  if (mode == "rolls" && argc == 3) {
    const int n = std::atoi(argv[2]);
    for (int i = 0; i < n; ++i)
      std::putchar(probe_roll() ? '1' : '0');
    std::putchar('\n');
    return 0;
  }
  if (mode == "flag") {
    std::printf("flag=%d\n", probe_flag() ? 1 : 0);
    return 0;
  }
  if (mode == "main") {
    std::fputs("main\n", stderr);
    return 0;
  }
  if (mode == "none") {
    std::printf("ran\n");
    return 0;
  }
  if (mode == "plugin" && argc == 3) {
    // A failpoint hit before the library is loaded: the program has settled by then.
    (void)probe_int();
    void* lib = dlopen(argv[2], RTLD_NOW);
    if (lib == nullptr)
      return 3;
    auto fn = reinterpret_cast<int (*)()>(dlsym(lib, "failpoint_test_plugin_value"));
    if (fn == nullptr)
      return 4;
    std::printf("plugin=%d\n", fn());
    return 0;
  }
  if (mode == "init") {
    std::printf("init=%d\n", value_at_init);
    return 0;
  }
  if (mode == "exit") {
    static hits_on_destruction on_destruction;
    std::atexit([] {
      probe_exit_hit("in an atexit handler");
      std::fflush(stdout);
    });
    return 0;
  }
  return 2;
}
