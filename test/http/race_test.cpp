// test/http/race_test.cpp: a 204 means "applied", and a change that ends the process still lets
// its answer out first. Both halves are races, so each is repeated many times over real sockets.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "util.hpp"

namespace {

using namespace std::chrono_literals;

// The failpoint the races trigger: a string value, so that the test sees which PUT it came from.
std::optional<std::string> race_site() {
  if (auto fp = FAILPOINT_VALUE("http.race", std::string))
    return *fp;
  return std::nullopt;
}

// A neighbour for batches, never hit.
void race_neighbour() {
  if (FAILPOINT("http.race.neighbour")) {
  }
}

// Rounds per request shape in the "applied" race; with five shapes, 600 PUT-then-hit races.
constexpr int k_rounds_per_shape = 120;
// Fresh children in the "answer before the process ends" race.
constexpr int k_ending_rounds = 20;
// Bounds each race loop in time, whatever the machine's load.
constexpr auto k_race_budget = 120s;

}  // namespace

TEST_CASE("a 204 to PUT means applied: a hit right after it always fires whatever the terms say",
          "[http][race]") {
  race_neighbour();
  fpt::endpoint ep;
  struct shape {
    const char* target;
    std::string body;
    std::string expected;  // the value the next hit returns
  };
  // Terms whose text mentions "panic" or "break" in a string, in a batch entry, and in a term
  // that cannot end the process, next to plain terms.
  const std::vector<shape> shapes = {
      {"/http.race", R"(return("breakfast"))", "breakfast"},
      {"/failpoints", R"(http.race=return("no panic");http.race.neighbour=off)", "no panic"},
      {"/failpoints", R"(http.race.neighbour=print("break");http.race=return("b"))", "b"},
      {"/http.race", R"(return("plain"))", "plain"},
      {"/http.race", R"(1*return("panic"))", "panic"},
  };
  const auto deadline = std::chrono::steady_clock::now() + k_race_budget;
  int rounds = 0;
  int misses = 0;
  for (int i = 0; i < k_rounds_per_shape && std::chrono::steady_clock::now() < deadline; ++i) {
    for (const shape& s : shapes) {
      const auto res = fpt::call(ep.address, "PUT", s.target, s.body);
      REQUIRE(res.status == 204);
      // This thread is not the endpoint's: the hit races the server's side of the request.
      const auto fired = race_site();
      if (fired != s.expected) {
        ++misses;
        UNSCOPED_INFO("round " << rounds << ": PUT " << s.target << " " << s.body << " -> "
                               << (fired ? "\"" + *fired + "\"" : std::string("no fault")));
      }
      ++rounds;
      failpoint::disable_all();
    }
  }
  INFO(misses << " misses in " << rounds << " rounds");
  CHECK(misses == 0);
  CHECK(rounds >= 100);  // the time budget allowed a real repetition
}

TEST_CASE("PUT of panic or break answers 204 before the process ends every time",
          "[http][race][process]") {
  struct shape {
    const char* target;
    const char* body;
    int signal;
    const char* message;  // on stderr
  };
  const std::vector<shape> shapes = {
      {"/child/panic", "panic(\"boom\")", SIGABRT, "failpoint panic: child/panic: boom"},
      {"/failpoints", "child/hit=off;child/panic=panic", SIGABRT, "failpoint panic: child/panic"},
      {"/child/panic", "break", SIGTRAP, ""},
  };
  const auto deadline = std::chrono::steady_clock::now() + k_race_budget;
  int rounds = 0;
  for (; rounds < k_ending_rounds && std::chrono::steady_clock::now() < deadline; ++rounds) {
    const shape& s = shapes[static_cast<std::size_t>(rounds) % shapes.size()];
    INFO("round " << rounds << ": PUT " << s.target << " " << s.body);
    // A thread of the child hits child/panic in a tight loop: the end follows the change at once.
    fpt::child c("panic-loop");
    REQUIRE(!c.address.empty());
    const auto res = fpt::call(c.address, "PUT", s.target, s.body);
    CHECK(res.error.empty());
    CHECK(res.status == 204);
    const auto status = fpt::wait_exit(c.proc, 10s);
    REQUIRE(status);
    REQUIRE(WIFSIGNALED(*status));
    CHECK(WTERMSIG(*status) == s.signal);
    CHECK_THAT(fpt::read_file(c.proc.err_path), Catch::Contains(s.message));
  }
  CHECK(rounds >= 3);
}

TEST_CASE("panic and break run the set_before_process_end function just before the process ends",
          "[http][race][process]") {
  for (const auto& [mode, signal] : {std::pair{"hook-panic", SIGABRT}, {"hook-break", SIGTRAP}}) {
    INFO(mode);
    const auto r = fpt::run(FAILPOINT_HTTP_CHILD, {mode}, {}, 10s);
    REQUIRE(WIFSIGNALED(r.status));
    CHECK(WTERMSIG(r.status) == signal);
    CHECK(r.out == "before process end\n");
  }
}
