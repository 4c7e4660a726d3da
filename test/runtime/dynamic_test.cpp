// Failpoints named at run time (failpoint/dynamic.hpp): listed, switched, counted and waited for
// like comment-made ones, and applied from pending settings when they are created.
#include "failpoint/dynamic.hpp"

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

TEST_CASE("a failpoint named at run time is listed with its type and where it was made",
          "[dynamic]") {
  const std::string name = std::string("dynamic.") + "listed";  // made from data
  failpoint::named fp(name, "int");
  CHECK(std::string(fp.name()) == "dynamic.listed");
  auto s = failpoint::status(name);
  REQUIRE(s);
  CHECK(s->type == "int");
  CHECK_FALSE(s->active);
  REQUIRE(s->sites.size() == 1);
  CHECK_THAT(s->sites[0].file, Catch::EndsWith("dynamic_test.cpp"));
  CHECK(s->sites[0].line == __LINE__ - 8);
  bool found = false;
  for (auto& info : failpoint::list())
    found = found || info.name == name;
  CHECK(found);
}

TEST_CASE("a run-time failpoint is switched and counted like a comment-made one", "[dynamic]") {
  failpoint::named fp("dynamic.switched", "int");
  CHECK_FALSE(fp.armed());
  CHECK_FALSE(fp.value<int>());
  CHECK(failpoint::status("dynamic.switched")->count == 0);  // off: nothing counted

  failpoint::enable("dynamic.switched", "2*return(7)");
  CHECK(fp.armed());
  auto first = fp.value<int>();
  REQUIRE(first);
  CHECK(*first == 7);
  CHECK(fp.value<int>());
  CHECK_FALSE(fp.value<int>());  // used up
  CHECK_FALSE(fp.armed());       // back on the free path
  CHECK(failpoint::status("dynamic.switched")->count == 2);

  // A value its type cannot take is refused when set, as for a comment-made failpoint.
  CHECK_THROWS_AS(failpoint::enable("dynamic.switched", "return(\"x\")"), failpoint::config_error);
  CHECK_FALSE(fp.value<int>());
  CHECK(failpoint::disable("dynamic.switched"));
  CHECK_FALSE(fp.armed());
}

TEST_CASE("a run-time failpoint without value fires on return", "[dynamic]") {
  failpoint::named fp("dynamic.novalue");
  CHECK(failpoint::status("dynamic.novalue")->type.empty());
  CHECK_FALSE(fp.fired());
  failpoint::scoped on("dynamic.novalue", "1*return");
  CHECK(fp.fired());
  CHECK_FALSE(fp.fired());
}

TEST_CASE("handles made twice for one name share the failpoint, and another type is refused",
          "[dynamic]") {
  failpoint::named a("dynamic.shared", "bool");
  failpoint::named b("dynamic.shared", "bool");
  CHECK(failpoint::status("dynamic.shared")->sites.size() == 1);
  failpoint::scoped on("dynamic.shared", "return(true)");
  CHECK(a.value<bool>());
  CHECK(b.value<bool>());
  CHECK(failpoint::status("dynamic.shared")->count == 2);
  CHECK_THROWS_AS(failpoint::named("dynamic.shared", "int"), std::invalid_argument);
  CHECK_THROWS_AS(failpoint::named(""), std::invalid_argument);
}

TEST_CASE("settings kept for a name not yet created apply when it is created", "[dynamic]") {
  failpoint::apply("dynamic.later=return(5)", /*keep_unknown=*/true);
  failpoint::named fp("dynamic.later", "int");
  CHECK(fp.armed());
  auto h = fp.value<int>();
  REQUIRE(h);
  CHECK(*h == 5);
  failpoint::disable("dynamic.later");
}

TEST_CASE("wait_for wakes when a run-time failpoint is hit from another thread", "[dynamic]") {
  failpoint::named fp("dynamic.waited");
  failpoint::scoped on("dynamic.waited", "off");
  std::thread hitter([&] {
    for (int i = 0; i < 3; ++i)
      (void)fp.fired();
  });
  CHECK(failpoint::wait_for("dynamic.waited", 3, std::chrono::seconds(10)));
  hitter.join();
}

TEST_CASE("threads creating the same run-time failpoint at once get one failpoint", "[dynamic]") {
  std::vector<std::thread> threads;
  std::atomic<int> fired{0};
  failpoint::apply("dynamic.raced=return", true);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      failpoint::named fp("dynamic.raced");
      if (fp.fired())
        fired.fetch_add(1);
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(fired.load() == 8);
  CHECK(failpoint::status("dynamic.raced")->sites.size() == 1);
  failpoint::disable("dynamic.raced");
}

TEST_CASE("counts stay exact for thousands of failpoints hit from several threads",
          "[dynamic][concurrency]") {
  // Beyond the first names (per-thread counters inside each thread's slot) come counters in
  // blocks allocated on first use, and past those shared counters: every kind counts exactly,
  // on a thread's first hit of a configuration (the full evaluation) and on its later ones (fast
  // hits for `off` and `return`, in the slot and in the blocks).
  constexpr int names = 4400, threads = 3, rounds = 3;
  const char* const settings[] = {"off", "return", "50%return"};
  std::vector<failpoint::named> points;
  points.reserve(names);
  for (int i = 0; i < names; ++i) {
    points.emplace_back("dyn.many." + std::to_string(i));
    failpoint::enable("dyn.many." + std::to_string(i), settings[i % 3]);
  }
  std::atomic<long> fired{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      long mine = 0;
      for (int r = 0; r < rounds; ++r) {
        for (const auto& p : points)
          mine += p.fired() ? 1 : 0;
      }
      fired += mine;
    });
  }
  for (auto& t : pool)
    t.join();
  long counted_returns = 0;
  for (int i = 0; i < names; ++i) {
    const auto s = failpoint::status("dyn.many." + std::to_string(i));
    REQUIRE(s);
    if (i % 3 != 2) {
      CHECK(s->count == static_cast<std::uint64_t>(threads * rounds));
      counted_returns += i % 3 == 1 ? static_cast<long>(s->count) : 0;
    } else {
      CHECK(s->count <= static_cast<std::uint64_t>(threads * rounds));
      counted_returns += static_cast<long>(s->count);
    }
  }
  CHECK(counted_returns == fired.load());
  CHECK(fired.load() > 0);
  failpoint::disable_all();
}

namespace {

// Whether a term's integer value converts to T, by the rule README's types table states: an
// integer type takes the integers in its range, an enum or floating-point type any integer,
// bool only true and false.
template <class T>
bool integer_fits(std::int64_t v) {
  if constexpr (std::is_same<T, bool>::value) {
    return false;
  } else if constexpr (std::is_integral<T>::value) {
    if (v < 0)
      return std::is_signed<T>::value &&
             v >= static_cast<std::int64_t>(std::numeric_limits<T>::min());
    return static_cast<std::uint64_t>(v) <=
           static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  } else {
    return true;
  }
}

enum class probe_enum : short {};

// Hits `fp` as a site of type T three times (the thread's first hit of a configuration takes the
// full evaluation, the later ones the fast one) and checks each outcome against integer_fits.
// Returns the hits that did not fit (each is counted as a mismatch).
template <class T>
int check_number_site(const failpoint::named& fp, std::int64_t v) {
  int misfits = 0;
  for (int i = 0; i < 3; ++i) {
    auto hit = fp.value<T>();
    const bool fits = integer_fits<T>(v);
    CHECK(static_cast<bool>(hit) == fits);
    if (hit && fits)
      CHECK(*hit == static_cast<T>(v));
    misfits += fits ? 0 : 1;
  }
  return misfits;
}

}  // namespace

TEST_CASE("an integer fires at a number site exactly when it fits the site's type, on every hit",
          "[dynamic][types]") {
  INFO(
      "name and type of its own, which the runtime cannot check when it is set: every value is "
      "accepted then and checked at the hit");
  failpoint::named fp("dynamic.rows", "probe_type");
  const std::int64_t values[] = {0,
                                 1,
                                 -1,
                                 127,
                                 128,
                                 -128,
                                 -129,
                                 255,
                                 256,
                                 32767,
                                 32768,
                                 -32768,
                                 -32769,
                                 65535,
                                 65536,
                                 INT32_MAX,
                                 std::int64_t(INT32_MAX) + 1,
                                 INT32_MIN,
                                 std::int64_t(INT32_MIN) - 1,
                                 UINT32_MAX,
                                 std::int64_t(UINT32_MAX) + 1,
                                 INT64_MAX,
                                 INT64_MIN};
  for (const std::int64_t v : values) {
    INFO("return(" << v << ")");
    failpoint::enable("dynamic.rows", "return(" + std::to_string(v) + ")");
    int misfits = 0;
    misfits += check_number_site<bool>(fp, v);
    misfits += check_number_site<char>(fp, v);
    misfits += check_number_site<std::int8_t>(fp, v);
    misfits += check_number_site<std::uint8_t>(fp, v);
    misfits += check_number_site<std::int16_t>(fp, v);
    misfits += check_number_site<std::uint16_t>(fp, v);
    misfits += check_number_site<std::int32_t>(fp, v);
    misfits += check_number_site<std::uint32_t>(fp, v);
    misfits += check_number_site<long>(fp, v);
    misfits += check_number_site<std::int64_t>(fp, v);
    misfits += check_number_site<std::uint64_t>(fp, v);
    misfits += check_number_site<unsigned long long>(fp, v);
    misfits += check_number_site<probe_enum>(fp, v);
    misfits += check_number_site<double>(fp, v);
    auto s = failpoint::status("dynamic.rows");
    CHECK(s->mismatches == static_cast<std::uint64_t>(misfits));
    CHECK(s->count == 14 * 3);
  }
  // true and false fit bool and nothing else; a `return` without value fits no number type.
  for (const char* terms : {"return(true)", "return(false)", "return"}) {
    INFO(terms);
    failpoint::enable("dynamic.rows", terms);
    const bool is_bool = std::string(terms) != "return";
    for (int i = 0; i < 3; ++i) {
      auto b = fp.value<bool>();
      CHECK(static_cast<bool>(b) == is_bool);
      if (b)
        CHECK(*b == (std::string(terms) == "return(true)"));
      CHECK_FALSE(fp.value<int>());
      CHECK_FALSE(fp.value<double>());
      CHECK_FALSE(fp.value<probe_enum>());
    }
    CHECK(failpoint::status("dynamic.rows")->mismatches == (is_bool ? 9u : 12u));
  }
  failpoint::disable("dynamic.rows");
}
