// FAILPOINTS and FAILPOINTS_SEED, applied before main in a real child process.
#include <catch2/catch.hpp>

#include "../support/child_process.hpp"

using failpoint_test::run_program;

namespace {
const std::string probe = FAILPOINT_ENV_PROBE;
}

TEST_CASE("FAILPOINTS is applied before main runs", "[env]") {
  auto r = run_program({probe, "values"},
                       {{"FAILPOINTS", "probe.int=return(7);probe.string=return(\"x\")"}});
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "int=7 string=x\n");
  auto plain = run_program({probe, "values"});
  CHECK(plain.out == "int=-1 string=default\n");
}

TEST_CASE("quoted strings in FAILPOINTS may hold ; = and newlines", "[env]") {
  auto r =
      run_program({probe, "values"},
                  {{"FAILPOINTS", "probe.string=return(\"a;b=c\\nd\")\nprobe.int=2*return(1)"}});
  CHECK(r.status == 0);
  CHECK(r.out == "int=1 string=a;b=c\nd\n");
}

TEST_CASE("a malformed FAILPOINTS stops the process with the entry, position and reason", "[env]") {
  auto r = run_program({probe, "values"},
                       {{"FAILPOINTS", "probe.int=return(1);probe.string=retrun(\"x\")"}});
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("FAILPOINTS entry for \"probe.string\" is malformed"));
  CHECK_THAT(r.err, Catch::Contains("at byte 0"));
  CHECK_THAT(r.err, Catch::Contains("unknown action \"retrun\""));

  auto unsplittable = run_program({probe, "values"}, {{"FAILPOINTS", "probe.int"}});
  CHECK(unsplittable.status == 1);
  CHECK_THAT(unsplittable.err, Catch::Contains("has no \"=\""));

  auto unclosed = run_program({probe, "values"}, {{"FAILPOINTS", "probe.string=return(\"x;"}});
  CHECK(unclosed.status == 1);
  CHECK_THAT(unclosed.err, Catch::Contains("unclosed string"));
}

TEST_CASE("names in FAILPOINTS that no site has yet wait for a library to register them", "[env]") {
  auto r = run_program({probe, "plugin", FAILPOINT_TEST_PLUGIN},
                       {{"FAILPOINTS", "plugin.value=return(42)"}});
  CHECK(r.status == 0);
  CHECK(r.out == "plugin=42\n");
}

TEST_CASE("FAILPOINTS_SEED makes probability rolls reproducible", "[env][probability]") {
  auto roll = [](const std::string& seed) {
    return run_program({probe, "rolls", "64"},
                       {{"FAILPOINTS", "probe.roll=50%return"}, {"FAILPOINTS_SEED", seed}})
        .out;
  };
  const std::string a = roll("1234");
  CHECK(a.size() == 65);
  CHECK(a == roll("1234"));
  CHECK(a != roll("1235"));
  CHECK(a.find('0') != std::string::npos);
  CHECK(a.find('1') != std::string::npos);
}

TEST_CASE("a malformed FAILPOINTS_SEED stops the process", "[env]") {
  for (const char* bad : {"", "-1", "12x", "99999999999999999999999"}) {
    INFO(bad);
    auto r = run_program({probe, "values"}, {{"FAILPOINTS_SEED", bad}});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains("FAILPOINTS_SEED"));
  }
}

TEST_CASE("a failpoint hit in a static destructor or atexit handler works", "[env][lifecycle]") {
  auto r = run_program({probe, "exit"}, {{"FAILPOINTS", "probe.exit=return"}});
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("fired in an atexit handler"));
  CHECK_THAT(r.out, Catch::Contains("fired in a static destructor"));
}
