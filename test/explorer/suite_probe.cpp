// test/explorer/suite_probe.cpp: the commands of the ctest trees that suite_test.cpp explores
// with `failpoint-explore ctest`. Each mode is one test; it exits 0 when it works.
//   suite_probe buggy      probe.Save (bool) hit twice: `true` at hit 2 loses a record (exit 1)
//   suite_probe fixed      the same failpoint, and a failed save is retried (never fails)
//   suite_probe nofp       reaches no failpoint
//   suite_probe env        passes only with PROBE_VAR=expected in a directory named probe-cwd;
//                          reaches probe.Env (bool), harmless
//   suite_probe lock FILE  holds FILE (O_EXCL) while it hits probe.Locked twice, 100 ms apart;
//                          a run that found FILE taken fails at the end: two runs overlapped
//   suite_probe exit N     exits with N, reaching probe.Exit (no value) first
//   suite_probe needs FILE as fixed, but fails when FILE does not exist (a fixture's work)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "failpoint/failpoint.hpp"

namespace {

int save_records(bool fixed) {
  int saved = 0;
  for (int record = 1; record <= 2; ++record) {
    bool failed = false;
    if (auto fp = FAILPOINT_VALUE("probe.Save", bool))
      failed = *fp;
    if (failed && !fixed && record == 2)
      continue;  // the planted bug: the record is dropped instead of retried
    ++saved;
  }
  if (saved != 2) {
    std::fprintf(stderr, "Assertion failed: saved == 2 (saved %d)\n", saved);
    return 1;
  }
  return 0;
}

int env() {
  const char* v = std::getenv("PROBE_VAR");
  const std::string cwd = std::filesystem::current_path().filename().string();
  if (v == nullptr || std::strcmp(v, "expected") != 0 || cwd != "probe-cwd") {
    std::fprintf(stderr, "Assertion failed: PROBE_VAR=%s in %s\n", v == nullptr ? "(unset)" : v,
                 cwd.c_str());
    return 1;
  }
  if (auto fp = FAILPOINT_VALUE("probe.Env", bool))
    (void)*fp;
  return 0;
}

int lock(const char* file) {
  // The failpoint's hits come first and the verdict last, so that every planned fault fires in
  // a run that finds the file taken.
  const int fd = ::open(file, O_CREAT | O_EXCL | O_WRONLY, 0644);
  for (int i = 0; i < 2; ++i) {
    if (FAILPOINT("probe.Locked")) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (fd < 0) {
    std::fprintf(stderr, "Assertion failed: another run holds %s\n", file);
    return 1;
  }
  ::close(fd);
  ::unlink(file);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "buggy" || mode == "fixed")
    return save_records(mode == "fixed");
  if (mode == "nofp")
    return 0;
  if (mode == "needs" && argc > 2) {
    if (!std::filesystem::exists(argv[2])) {
      std::fprintf(stderr, "Assertion failed: %s does not exist\n", argv[2]);
      return 1;
    }
    return save_records(true);
  }
  if (mode == "env")
    return env();
  if (mode == "lock" && argc > 2)
    return lock(argv[2]);
  if (mode == "exit" && argc > 2) {
    if (FAILPOINT("probe.Exit")) {
    }
    return std::atoi(argv[2]);
  }
  std::fprintf(stderr, "usage: suite_probe buggy|fixed|nofp|env|lock FILE|exit N|needs FILE\n");
  return 2;
}
