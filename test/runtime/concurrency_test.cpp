// Concurrency: hitting threads never serialize on each other, control never waits for a thread
// that sleeps or pauses, counts add up exactly, and wait_for wakes without polling.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

using namespace std::chrono_literals;

namespace {

int hit_int() {
  if (auto fp = FAILPOINT_VALUE("conc.int", int))
    return *fp;
  return 0;
}

void hit_sleep() {
  if (FAILPOINT("conc.sleep")) {
  }
}

void hit_pause() {
  if (FAILPOINT("conc.pause")) {
  }
}

template <class F>
std::chrono::milliseconds time_of(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

}  // namespace

TEST_CASE("four threads sleeping in one failpoint sleep side by side", "[concurrency]") {
  // gofail holds a lock across sleep: four threads on sleep(100) take 400 ms there. Here all four
  // are inside the same sleep at once: with sleep(2000) the fourth run is counted long before the
  // first sleep ends (serialized, it would take three whole sleeps), and the four end together.
  failpoint::enable("conc.sleep", "sleep(2000)");
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i)
    threads.emplace_back(hit_sleep);
  CHECK(failpoint::wait_for("conc.sleep", 4, 1500ms));
  for (auto& t : threads)
    t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 2000ms);
  CHECK(elapsed < 6000ms);  // serialized: 8000 ms
  CHECK(failpoint::status("conc.sleep")->count == 4);
}

TEST_CASE("control does not wait for a thread sleeping in the failpoint", "[concurrency]") {
  failpoint::enable("conc.sleep", "1*sleep(3000)");
  std::thread sleeper(hit_sleep);
  REQUIRE(failpoint::wait_for("conc.sleep", 1, 5s));
  auto elapsed = time_of([] {
    failpoint::enable("conc.sleep", "off");
    failpoint::status("conc.sleep");
    failpoint::list();
    failpoint::disable("conc.sleep");
    failpoint::disable_all();
  });
  CHECK(elapsed < 2000ms);  // the sleeper holds nothing: control is done long before it wakes
  sleeper.join();
}

TEST_CASE("pause blocks the hitting thread until the failpoint is disabled", "[concurrency]") {
  failpoint::enable("conc.pause", "pause");
  std::atomic<bool> released{false};
  std::thread paused([&] {
    hit_pause();
    released = true;
  });
  REQUIRE(failpoint::wait_for("conc.pause", 1, 5s));
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(released);
  // Control works while a thread is paused, and other failpoints are unaffected.
  CHECK(failpoint::status("conc.pause")->active);
  failpoint::enable("conc.int", "return(1)");
  CHECK(hit_int() == 1);
  CHECK(failpoint::disable("conc.pause"));
  paused.join();
  CHECK(released);
}

TEST_CASE("pause returns when the failpoint is reconfigured", "[concurrency]") {
  failpoint::enable("conc.pause", "1*pause");
  std::thread paused(hit_pause);
  REQUIRE(failpoint::wait_for("conc.pause", 1, 5s));
  failpoint::enable("conc.pause", "off");
  paused.join();
  CHECK(failpoint::status("conc.pause")->count == 0);
  hit_pause();  // `off` now: returns at once
  CHECK(failpoint::status("conc.pause")->count == 1);
}

TEST_CASE("many paused threads are all released by one disable", "[concurrency]") {
  failpoint::enable("conc.pause", "pause");
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back(hit_pause);
  REQUIRE(failpoint::wait_for("conc.pause", 8, 10s));
  failpoint::disable_all();
  for (auto& t : threads)
    t.join();
}

TEST_CASE("counts add up exactly under contention", "[concurrency]") {
  constexpr int threads = 4, hits = 50000;
  failpoint::enable("conc.int", "off");
  {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([] {
        for (int i = 0; i < hits; ++i)
          hit_int();
      });
    for (auto& t : pool)
      t.join();
  }
  CHECK(failpoint::status("conc.int")->count == threads * hits);

  failpoint::enable("conc.int", "5000*return(1)");
  std::atomic<int> fired{0};
  {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        int mine = 0;
        for (int i = 0; i < hits / 5; ++i)
          mine += hit_int();
        fired += mine;
      });
    for (auto& t : pool)
      t.join();
  }
  CHECK(fired == 5000);
  auto s = failpoint::status("conc.int");
  CHECK(s->count == 5000);
  CHECK_FALSE(s->active);
}

// A large count is split over lanes (one per cache line) that threads take runs from: no thread
// holds runs of its own, so a thread that stops hitting leaves nothing behind, and status() sums
// every lane.
TEST_CASE("a split count stays exact when threads stop early", "[concurrency]") {
  constexpr int count = 4099;  // not a multiple of the lanes: the remainder is counted too
  failpoint::enable("conc.int", "4099*return(1)->return(2)");
  int first = 0;
  std::thread early([&] {
    for (int i = 0; i < 10; ++i)
      first += hit_int();
  });
  early.join();
  CHECK(first == 10);
  CHECK(failpoint::status("conc.int")->count == 10);
  std::atomic<int> ones{0}, twos{0};
  {
    std::vector<std::thread> pool;
    for (int t = 0; t < 3; ++t)
      pool.emplace_back([&] {
        for (int i = 0; i < 2000; ++i) {
          const int v = hit_int();
          (v == 1 ? ones : twos).fetch_add(1);
        }
      });
    for (auto& t : pool)
      t.join();
  }
  // The first 4099 hits over every thread ran the counted term, the rest the next term.
  CHECK(ones.load() == count - 10);
  CHECK(twos.load() == 3 * 2000 - (count - 10));
  CHECK(failpoint::status("conc.int")->count == 3 * 2000 + 10);
  failpoint::disable("conc.int");
}

TEST_CASE("one thread uses up every lane of a split count", "[concurrency]") {
  failpoint::enable("conc.int", "3000*return(1)");
  int fired = 0;
  for (int i = 0; i < 3100; ++i)
    fired += hit_int();
  CHECK(fired == 3000);
  auto s = failpoint::status("conc.int");
  CHECK(s->count == 3000);
  CHECK_FALSE(s->active);  // the last run of the last lane retired the configuration
  REQUIRE(failpoint::wait_for("conc.int", 3000, 1s));
}

// Threads take a large count's runs in batches and steal from each other's batches when the
// lanes run dry: every round must fire exactly the count and retire the configuration.
TEST_CASE("batched counts fire exactly their count in every round", "[concurrency]") {
  for (int round = 0; round < 20; ++round) {
    failpoint::enable("conc.int", "2048*return(1)");
    std::atomic<int> fired{0};
    {
      std::vector<std::thread> pool;
      for (int t = 0; t < 4; ++t)
        pool.emplace_back([&, t] {
          int mine = 0;
          // Uneven shares, so that some threads stop while others still hit.
          for (int i = 0; i < 300 + 400 * t; ++i)
            mine += hit_int();
          fired += mine;
        });
      for (auto& t : pool)
        t.join();
    }
    INFO("round " << round);
    REQUIRE(fired.load() == 2048);
    auto s = failpoint::status("conc.int");
    CHECK(s->count == 2048);
    CHECK_FALSE(s->active);
  }
}

// A run on its way from a lane to a thread's batch is in neither for a moment: a status() read
// then must not count it twice (which made the count jump past the hits) or not at all.
TEST_CASE("status counts each run of a batched count once while threads take batches",
          "[concurrency]") {
  constexpr std::uint64_t count = std::uint64_t(1) << 30;  // batched, and never used up here
  constexpr int threads = 3, reads = 20000;
  failpoint::enable("conc.int", "1073741824*return(1)");
  std::atomic<std::uint64_t> hits{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        hit_int();
        hits.fetch_add(1, std::memory_order_seq_cst);
      }
    });
  // Hitters under way first (on a loaded machine they may start late).
  REQUIRE(failpoint::wait_for("conc.int", 1000, 20s));
  std::uint64_t previous = 0;
  int made = 0, bad = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (; made < reads && std::chrono::steady_clock::now() < deadline; ++made) {
    const std::uint64_t seen = failpoint::status("conc.int")->count;
    const std::uint64_t done = hits.load(std::memory_order_seq_cst);
    // At most one hit per thread is in progress; runs never go back.
    if (seen > done + threads || seen > count || seen < previous) {
      ++bad;
      UNSCOPED_INFO("read " << made << ": count " << seen << " after " << previous << ", hits "
                            << done);
    }
    previous = seen;
  }
  stop = true;
  for (auto& t : pool)
    t.join();
  CHECK(bad == 0);
  CHECK(made > 100);
  CHECK(failpoint::status("conc.int")->count == hits.load());
  failpoint::disable("conc.int");
}

TEST_CASE("threads hit while another thread reconfigures at random", "[concurrency][stress]") {
  std::atomic<bool> stop{false};
  std::atomic<long> fired{0}, hits{0};
  std::vector<std::thread> hitters;
  for (int t = 0; t < 3; ++t)
    hitters.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        if (hit_int() > 0)
          fired.fetch_add(1, std::memory_order_relaxed);
        hits.fetch_add(1, std::memory_order_relaxed);
      }
    });
  const char* settings[] = {"return(1)", "off", "3*return(2)->off", "50%return(3)",
                            "1*yield->return(4)"};
  // At least 3000 reconfigurations, 200000 hits and some fired (the hitters may be descheduled
  // for a whole stretch of settings on a loaded machine), bounded by a deadline.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (int i = 0; (i < 3000 || hits.load() < 200000 || fired.load() == 0) &&
                  std::chrono::steady_clock::now() < deadline;
       ++i) {
    if (i % 7 == 0) {
      failpoint::disable("conc.int");
    } else {
      failpoint::enable("conc.int", settings[i % 5]);
    }
    failpoint::status("conc.int");
  }
  stop = true;
  for (auto& t : hitters)
    t.join();
  CHECK(hits >= 200000);
  CHECK(fired > 0);
  // After the storm the failpoint still behaves exactly.
  failpoint::enable("conc.int", "2*return(5)");
  CHECK(hit_int() == 5);
  CHECK(hit_int() == 5);
  CHECK(hit_int() == 0);
  CHECK(failpoint::status("conc.int")->count == 2);
}

namespace {
std::int64_t hit_i64() {
  if (auto fp = FAILPOINT_VALUE("conc.i64", std::int64_t))
    return *fp;
  return 0;
}
}  // namespace

TEST_CASE("a hit sees one whole configuration while another thread reconfigures",
          "[concurrency][stress]") {
  // Hits of a failpoint that always returns read the value without a read section (a seqlock on
  // the configuration's generation): a hit mixing the words of `off` and `return(v)` would fire
  // with 0, or with the fitting types of one and the value of the other.
  std::atomic<bool> stop{false};
  std::atomic<long> hits{0}, bad{0}, fired{0};
  std::vector<std::thread> hitters;
  for (int t = 0; t < 2; ++t)
    hitters.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        if (auto fp = FAILPOINT_VALUE("conc.i64", std::int64_t)) {
          fired.fetch_add(1, std::memory_order_relaxed);
          if (*fp != 1 && *fp != -2 && *fp != 5000000000)
            bad.fetch_add(1, std::memory_order_relaxed);
        }
        hits.fetch_add(1, std::memory_order_relaxed);
      }
    });
  const char* settings[] = {"return(1)", "off", "return(-2)", "return(5000000000)"};
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (int i = 0; (i < 20000 || hits.load() < 200000 || fired.load() == 0) &&
                  std::chrono::steady_clock::now() < deadline;
       ++i) {
    if (i % 9 == 0) {
      failpoint::disable("conc.i64");
    } else {
      failpoint::enable("conc.i64", settings[i % 4]);
    }
  }
  stop = true;
  for (auto& t : hitters)
    t.join();
  CHECK(hits >= 200000);
  CHECK(fired > 0);
  CHECK(bad == 0);
  CHECK(failpoint::status("conc.i64")->mismatches == 0);
  // Counts restart with each configuration, on the fast hits too.
  failpoint::enable("conc.i64", "return(1)");
  for (int i = 0; i < 5; ++i)
    CHECK(hit_i64() == 1);
  CHECK(failpoint::status("conc.i64")->count == 5);
  failpoint::enable("conc.i64", "off");
  for (int i = 0; i < 3; ++i)
    CHECK(hit_i64() == 0);
  CHECK(failpoint::status("conc.i64")->count == 3);
  failpoint::disable("conc.i64");
  CHECK(hit_i64() == 0);
  CHECK(failpoint::status("conc.i64")->count == 3);
}

TEST_CASE("wait_for wakes when the count is reached and times out otherwise", "[concurrency]") {
  failpoint::enable("conc.int", "return(1)");
  std::thread hitter([] {
    std::this_thread::sleep_for(50ms);
    for (int i = 0; i < 3; ++i)
      hit_int();
  });
  CHECK(failpoint::wait_for("conc.int", 3, 10s));
  hitter.join();
  CHECK(failpoint::wait_for("conc.int", 0, 0ms));
  auto elapsed = time_of([] { CHECK_FALSE(failpoint::wait_for("conc.int", 10, 100ms)); });
  CHECK(elapsed >= 100ms);
  CHECK_THROWS_AS(failpoint::wait_for("conc.nope", 1, 10ms), failpoint::unknown_failpoint);
}

namespace {
void hit_never() {
  if (FAILPOINT("conc.never")) {
  }
}
}  // namespace

TEST_CASE("wait_for a count of 0 returns at once, even for a failpoint never enabled",
          "[concurrency]") {
  // Regression: it used to wait out the whole timeout when the failpoint had no configuration yet
  // (found by the HTTP fuzzer: GET /NAME/wait?count=0 took a whole wait slice).
  hit_never();
  auto elapsed = time_of([] { CHECK(failpoint::wait_for("conc.never", 0, 2s)); });
  CHECK(elapsed < 500ms);
}

TEST_CASE("once wait_for saw a counted chain used up, status shows the failpoint inactive",
          "[concurrency]") {
  // Regression: the hitting thread counts the run, then retires the used-up chain; wait_for
  // returned in between, so status() right after it still said active (stress test under TSan:
  // 191 of 545 rounds).
  std::atomic<bool> stop{false};
  std::vector<std::thread> hitters;
  for (int t = 0; t < 3; ++t)
    hitters.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed))
        hit_int();
    });
  for (int round = 0; round < 300; ++round) {
    failpoint::enable("conc.int", "2*off->3*return(1)");
    REQUIRE(failpoint::wait_for("conc.int", 5, 10s));
    auto s = failpoint::status("conc.int");
    CHECK(s->count == 5);
    CHECK_FALSE(s->active);
  }
  stop = true;
  for (auto& t : hitters)
    t.join();
}
