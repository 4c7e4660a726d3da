// Crash actions in real child processes, and fork() safety.
#include <csignal>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "../support/child_process.hpp"
#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

using failpoint_test::run_in_child;

namespace {
int life_int() {
  if (auto fp = FAILPOINT_VALUE("life.int", int))
    return *fp;
  return 0;
}
}  // namespace

TEST_CASE("panic writes the name and message and aborts the process", "[lifecycle]") {
  auto r = run_in_child([] {
    failpoint::enable("life.int", "panic(\"between handle and save\")");
    life_int();
  });
  CHECK_FALSE(r.exited);
  CHECK(r.status == SIGABRT);
  CHECK(r.err == "failpoint panic: life.int: between handle and save\n");
  auto bare = run_in_child([] {
    failpoint::enable("life.int", "panic");
    life_int();
  });
  CHECK(bare.status == SIGABRT);
  CHECK(bare.err == "failpoint panic: life.int\n");
}

TEST_CASE("break raises SIGTRAP", "[lifecycle]") {
  auto r = run_in_child([] {
    failpoint::enable("life.int", "break");
    life_int();
  });
  CHECK_FALSE(r.exited);
  CHECK(r.status == SIGTRAP);
}

TEST_CASE("print writes the name and message to stderr and goes on", "[lifecycle]") {
  auto r = run_in_child([] {
    failpoint::enable("life.int", "print(\"hello\")->print");
    failpoint::enable("life.int", "1*print(\"hello\")->print");
    if (life_int() != 0)
      std::_Exit(5);
    life_int();
  });
  CHECK(r.exited);
  CHECK(r.status == 0);
  CHECK(r.err == "failpoint print: life.int: hello\nfailpoint print: life.int\n");
}

TEST_CASE("a type mismatch is reported once on stderr with the name, value and types",
          "[lifecycle][mismatch]") {
  auto r = run_in_child([] {
    failpoint::enable("life.int", "return(\"abc\")");
    life_int();
    life_int();
  });
  CHECK(r.status == 0);
  CHECK_THAT(r.err,
             Catch::Contains("value \"abc\" does not fit failpoint \"life.int\" of type int"));
  CHECK_THAT(r.err, Catch::Contains("lifecycle_test.cpp:"));
  CHECK(r.err.find("does not fit", r.err.find("does not fit") + 1) == std::string::npos);
}

TEST_CASE("failpoints work in a child forked while other threads hit them", "[lifecycle][fork]") {
  failpoint::enable("life.int", "return(1)");
  std::atomic<bool> stop{false};
  std::vector<std::thread> hitters;
  for (int i = 0; i < 2; ++i)
    hitters.emplace_back([&] {
      while (!stop) {
        life_int();
        failpoint::status("life.int");
      }
    });
  for (int round = 0; round < 20; ++round) {
    auto r = run_in_child(
        [] {
          failpoint::enable("life.int", "2*return(3)");
          if (life_int() != 3 || life_int() != 3 || life_int() != 0)
            std::_Exit(7);
          failpoint::disable_all();
          failpoint::list();
        },
        std::chrono::seconds(10));
    INFO("round " << round);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 0);
  }
  stop = true;
  for (auto& t : hitters)
    t.join();
}

TEST_CASE("a child forked while threads are paused or waiting in a failpoint can use it",
          "[lifecycle][fork]") {
  // Regression: the child's fork handler destroyed the failpoint's condition variable, and
  // glibc's pthread_cond_destroy waited forever for the parent's paused and waiting threads.
  failpoint::enable("life.int", "pause");
  std::thread paused([] { life_int(); });
  REQUIRE(failpoint::wait_for("life.int", 1, std::chrono::seconds(10)));
  std::thread waiting([] { failpoint::wait_for("life.int", 1000, std::chrono::seconds(3)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto r = run_in_child(
      [] {
        failpoint::enable("life.int", "1*return(3)");
        if (life_int() != 3 || life_int() != 0)
          std::_Exit(7);
        if (!failpoint::wait_for("life.int", 1, std::chrono::seconds(1)))
          std::_Exit(8);
        failpoint::disable_all();
      },
      std::chrono::seconds(10));
  CHECK_FALSE(r.timed_out);
  CHECK(r.exited);
  CHECK(r.status == 0);
  failpoint::disable("life.int");
  paused.join();
  waiting.join();
}
