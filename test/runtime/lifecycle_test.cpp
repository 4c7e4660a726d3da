// Crash actions in real child processes, and fork() safety.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "../support/child_process.hpp"

using failpoint_test::run_in_child;

namespace {
int life_int() {
  if (auto fp = FAILPOINT_VALUE("life.int", int))
    return *fp;
  return 0;
}

enum class level { low, high };
level life_level() {
  if (auto fp = FAILPOINT_VALUE("life.level", level))
    return *fp;
  return level::low;
}

// One failpoint with sites of two types.
int life_multi_int() {
  if (auto fp = FAILPOINT_VALUE("life.multi", int))
    return *fp;
  return -1;
}
int life_multi_bool() {
  if (auto fp = FAILPOINT_VALUE("life.multi", bool))
    return *fp ? 1 : 0;
  return -1;
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
  // An enum: the runtime cannot check the value when it is set, the site checks it when hit.
  auto r = run_in_child([] {
    failpoint::enable("life.level", "return(\"abc\")");
    life_level();
    life_level();
  });
  CHECK(r.status == 0);
  CHECK_THAT(r.err,
             Catch::Contains("value \"abc\" does not fit failpoint \"life.level\" of type level"));
  CHECK_THAT(r.err, Catch::Contains("lifecycle_test.cpp:"));
  CHECK(r.err.find("does not fit", r.err.find("does not fit") + 1) == std::string::npos);
}

TEST_CASE("a value that fits some sites of a name names on stderr the sites it cannot reach",
          "[lifecycle][mismatch][types]") {
  auto r = run_in_child([] {
    failpoint::enable("life.multi", "return(5)");
    if (life_multi_int() != 5 || life_multi_bool() != -1)
      std::_Exit(3);
    failpoint::enable("life.multi", "return(true)");
    if (life_multi_int() != -1 || life_multi_bool() != 1)
      std::_Exit(4);
    try {
      failpoint::enable("life.multi", "return(\"x\")");  // fits neither
      std::_Exit(5);
    } catch (const failpoint::config_error& e) {
      std::fprintf(stderr, "refused: %s\n", e.what());
    }
  });
  CHECK(r.exited);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Catch::Contains("failpoint \"life.multi\": value 5 cannot reach its site of "
                                    "type bool at "));
  CHECK_THAT(r.err, Catch::Contains("failpoint \"life.multi\": value true cannot reach its site of "
                                    "type int at "));
  CHECK_THAT(r.err, Catch::Contains("refused: ") && Catch::Contains("int at ") &&
                        Catch::Contains("bool at "));
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

// A thread moving a batch of a large count's runs from a lane to itself when another thread forks
// does not exist in the child: status() and wait_for() there must not wait for those runs.
TEST_CASE("a child forked while threads take batches of a large count can read its count",
          "[lifecycle][fork]") {
  failpoint::enable("life.int", "1073741824*return(1)");  // batched, never used up here
  std::atomic<bool> stop{false};
  std::vector<std::thread> hitters;
  for (int i = 0; i < 2; ++i)
    hitters.emplace_back([&] {
      while (!stop)
        life_int();
    });
  REQUIRE(failpoint::wait_for("life.int", 100000, std::chrono::seconds(10)));
  for (int round = 0; round < 40; ++round) {
    auto r = run_in_child(
        [] {
          auto s = failpoint::status("life.int");
          if (!s || !s->active || s->count == 0)
            std::_Exit(7);
          if (!failpoint::wait_for("life.int", s->count, std::chrono::seconds(1)))
            std::_Exit(8);
          if (life_int() != 1 || failpoint::status("life.int")->count != s->count + 1)
            std::_Exit(9);
        },
        std::chrono::seconds(5));
    INFO("round " << round);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 0);
  }
  stop = true;
  for (auto& t : hitters)
    t.join();
  failpoint::disable("life.int");
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
