// Stress: threads hit many failpoints while a controller enables, disables and reconfigures them
// at random, with the invariants checked as it goes; fork() while threads are busy. Meant to run
// under ThreadSanitizer (scripts/test.sh does) as well as in plain builds.
//
// FAILPOINT_STRESS_SECONDS (default 4) bounds the storm; the test prints its operation counts.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "../support/child_process.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int site_count = 12;
constexpr int hitter_count = 4;
// Every configuration that returns a value returns its own id, so fires are tallied per
// configuration. Ids are bounded so the tally is a flat array.
constexpr int max_configs = 1 << 18;

// One function per failpoint: a site's name must be a literal.
#define STRESS_SITE(N)                                  \
  [] {                                                  \
    if (auto fp = FAILPOINT_VALUE("stress." #N, int)) { \
      return *fp;                                       \
    }                                                   \
    return -1;                                          \
  }
using site_fn = int (*)();
const site_fn sites[site_count] = {
    STRESS_SITE(0), STRESS_SITE(1), STRESS_SITE(2),  STRESS_SITE(3),
    STRESS_SITE(4), STRESS_SITE(5), STRESS_SITE(6),  STRESS_SITE(7),
    STRESS_SITE(8), STRESS_SITE(9), STRESS_SITE(10), STRESS_SITE(11),
};
#undef STRESS_SITE

std::string name_of(int i) {
  return "stress." + std::to_string(i);
}

std::chrono::milliseconds storm_length() {
  if (const char* s = std::getenv("FAILPOINT_STRESS_SECONDS"))
    return std::chrono::milliseconds(static_cast<long>(std::atof(s) * 1000));
  return 4s;
}

struct shared_state {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> injected{0};             // throw terms caught
  std::array<std::atomic<int>, site_count> inside{};  // threads inside each site right now
  std::unique_ptr<std::atomic<std::uint32_t>[]> fires {
    new std::atomic<std::uint32_t>[ max_configs ]
  };
  std::atomic<int> finished{0};
  shared_state() {
    for (int i = 0; i < max_configs; ++i)
      fires[i].store(0, std::memory_order_relaxed);
  }
};

void hitter(shared_state& st, unsigned seed) {
  std::minstd_rand rng(seed);
  std::uint64_t mine = 0;
  while (!st.stop.load(std::memory_order_relaxed)) {
    const int i = static_cast<int>(rng() % site_count);
    st.inside[i].fetch_add(1);
    try {
      const int v = sites[i]();
      if (v >= 0 && v < max_configs)
        st.fires[v].fetch_add(1, std::memory_order_relaxed);
    } catch (const failpoint::injected_error&) {
      st.injected.fetch_add(1, std::memory_order_relaxed);
    }
    st.inside[i].fetch_sub(1);
    ++mine;
  }
  st.hits.fetch_add(mine);
  st.finished.fetch_add(1);
}

// Waits until no thread is inside site i (they left a pause), up to `limit`.
bool drained(shared_state& st, int i, std::chrono::milliseconds limit) {
  const auto deadline = clock_type::now() + limit;
  while (clock_type::now() < deadline) {
    if (st.inside[i].load() == 0)
      return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

struct bounded_config {
  int id;
  std::uint32_t limit;  // fires can be at most this
  bool completed;       // ran to completion: fires must equal limit
};

}  // namespace

TEST_CASE("a storm of reconfigurations keeps counts exact, wakes every pause, and wait_for returns",
          "[stress][concurrency]") {
  shared_state st;
  std::vector<std::thread> hitters;
  for (int t = 0; t < hitter_count; ++t)
    hitters.emplace_back(hitter, std::ref(st), 1000u + static_cast<unsigned>(t));

  std::mt19937 rng(12345);
  std::vector<bounded_config> bounded;
  std::uint64_t operations = 0, completions = 0, pauses = 0, waits = 0;
  int next_id = 0;
  const auto length = storm_length();
  const auto deadline = clock_type::now() + length;
  while (clock_type::now() < deadline && next_id < max_configs - 16) {
    const int i = static_cast<int>(rng() % site_count);
    const std::string name = name_of(i);
    const int op = static_cast<int>(rng() % 100);
    ++operations;
    if (op < 35) {
      // A bounded configuration, replaced later (fires at most its count).
      const int id = next_id++;
      const std::uint32_t k = 1 + rng() % 20;
      failpoint::enable(name, std::to_string(k) + "*return(" + std::to_string(id) + ")");
      bounded.push_back({id, k, false});
    } else if (op < 45) {
      // Run to completion: wait_for must see exactly the count, then the failpoint is used up.
      const int id = next_id++;
      const std::uint32_t skip = rng() % 3, k = 1 + rng() % 30;
      std::string terms = std::to_string(k) + "*return(" + std::to_string(id) + ")";
      if (skip > 0)
        terms = std::to_string(skip) + "*off->" + terms;
      failpoint::enable(name, terms);
      const auto t0 = clock_type::now();
      const bool reached = failpoint::wait_for(name, skip + k, 10s);
      ++waits;
      REQUIRE(reached);
      CHECK(clock_type::now() - t0 < 10s);
      const auto status = failpoint::status(name);
      CHECK(status->count == skip + k);
      CHECK_FALSE(status->active);
      bounded.push_back({id, k, true});
      ++completions;
    } else if (op < 55) {
      // Unbounded terms of every non-blocking kind.
      const int id = next_id++;
      const char* shapes[] = {"return({})",
                              "50%return({})",
                              "off->return({})",
                              "yield",
                              "delay(20)",
                              "sleep(1)",
                              "2*throw(\"x\")->return({})",
                              "10%off->25%return({})"};
      std::string terms = shapes[rng() % 8];
      for (auto at = terms.find("{}"); at != std::string::npos; at = terms.find("{}"))
        terms.replace(at, 2, std::to_string(id));
      failpoint::enable(name, terms);
    } else if (op < 65) {
      failpoint::disable(name);
    } else if (op < 68) {
      failpoint::disable_all();
    } else if (op < 75) {
      // A batch over two failpoints, all at once.
      const int j = (i + 1) % site_count;
      const int id = next_id++;
      failpoint::apply(name + "=return(" + std::to_string(id) + ");" + name_of(j) + "=");
    } else if (op < 80) {
      // pause: some thread gets stuck, a reconfiguration lets every one of them go.
      failpoint::enable(name, "pause");
      ++pauses;
      CHECK(failpoint::wait_for(name, 1, 10s));
      if (rng() % 2 == 0) {
        failpoint::disable(name);
      } else {
        failpoint::enable(name, "off");
      }
      INFO("threads still paused in " << name);
      CHECK(drained(st, i, 5s));
    } else if (op < 90) {
      // A wait that times out returns in time and says so (a disabled failpoint keeps its
      // count, and nothing runs any more).
      failpoint::disable(name);
      const auto ran = failpoint::status(name)->count;
      const auto t0 = clock_type::now();
      CHECK_FALSE(failpoint::wait_for(name, ran + 1, 2ms));
      CHECK(clock_type::now() - t0 < 2s);
      ++waits;
    } else {
      failpoint::status(name);
      failpoint::list();
    }
  }
  failpoint::disable_all();
  st.stop = true;
  // Every hitter must come back: none may stay paused after disable_all.
  const auto join_deadline = clock_type::now() + 10s;
  while (st.finished.load() < hitter_count && clock_type::now() < join_deadline)
    std::this_thread::sleep_for(1ms);
  if (st.finished.load() < hitter_count) {
    std::fprintf(stderr, "stress: a hitter thread never returned (lost wake-up)\n");
    std::abort();
  }
  for (auto& t : hitters)
    t.join();

  std::uint64_t exact = 0;
  for (const auto& c : bounded) {
    const std::uint32_t fired = st.fires[c.id].load();
    INFO("configuration " << c.id << " limit " << c.limit);
    if (c.completed) {
      CHECK(fired == c.limit);
      ++exact;
    } else {
      CHECK(fired <= c.limit);
    }
  }
  std::printf(
      "stress: %.1f s, %d threads, %d failpoints: %llu hits, %llu control operations "
      "(%llu run to completion, %llu pauses released, %llu waits), %llu throws caught\n",
      std::chrono::duration<double>(length).count(), hitter_count, site_count,
      static_cast<unsigned long long>(st.hits.load()), static_cast<unsigned long long>(operations),
      static_cast<unsigned long long>(exact), static_cast<unsigned long long>(pauses),
      static_cast<unsigned long long>(waits), static_cast<unsigned long long>(st.injected.load()));
  CHECK(st.hits.load() > 0);
  CHECK(completions > 0);
}

TEST_CASE("a child forked while threads pause, wait, sleep and reconfigure can use failpoints",
          "[stress][fork]") {
  shared_state st;
  std::vector<std::thread> hitters;
  for (int t = 0; t < hitter_count; ++t)
    hitters.emplace_back(hitter, std::ref(st), 7u + static_cast<unsigned>(t));
  std::atomic<bool> stop_control{false};
  // Another thread reconfigures and waits while the main thread forks.
  std::thread controller([&] {
    std::minstd_rand rng(99);
    while (!stop_control.load()) {
      const std::string name = name_of(1 + static_cast<int>(rng() % (site_count - 1)));
      switch (rng() % 4) {
        case 0:
          failpoint::enable(name, "sleep(1)->return(3)");
          break;
        case 1:
          failpoint::enable(name, "3*return(4)");
          break;
        case 2:
          failpoint::wait_for(name, 1000000, 1ms);
          break;
        default:
          failpoint::disable(name);
      }
    }
  });
  failpoint::enable("stress.0", "pause");  // some hitters stay paused across the forks
  REQUIRE(failpoint::wait_for("stress.0", 1, 10s));
  for (int round = 0; round < 20; ++round) {
    auto r = failpoint_test::run_in_child(
        [] {
          // The paused, sleeping and waiting threads do not exist here: nothing may block.
          failpoint::enable("stress.0", "2*return(5)");
          if (sites[0]() != 5 || sites[0]() != 5 || sites[0]() != -1)
            std::_Exit(7);
          failpoint::enable("stress.1", "return(6)");
          if (sites[1]() != 6)
            std::_Exit(8);
          failpoint::wait_for("stress.1", 1, 1s);
          failpoint::disable_all();
          failpoint::list();
        },
        10s);
    INFO("round " << round << ": " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 0);
  }
  stop_control = true;
  controller.join();
  failpoint::disable_all();
  st.stop = true;
  for (auto& t : hitters)
    t.join();
}

TEST_CASE("threads still hitting failpoints while the process exits do not crash it",
          "[stress][lifecycle]") {
  for (int round = 0; round < 10; ++round) {
    auto r = failpoint_test::run_program({FAILPOINT_STRESS_EXIT_PROBE}, {}, 20s);
    INFO("round " << round << ": " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exited);
    CHECK(r.status == 0);
  }
}
