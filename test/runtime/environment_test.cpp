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

TEST_CASE("a site hit by a static initializer is registered and fires", "[env]") {
  auto fired =
      run_program({probe, "init"}, {{"PROBE_INIT", "1"}, {"FAILPOINTS", "probe.init=return(7)"}});
  CHECK(fired.status == 0);
  CHECK(fired.out == "init=7\n");
  CHECK(fired.err.empty());
  auto off = run_program({probe, "init"}, {{"PROBE_INIT", "1"}});
  CHECK(off.status == 0);
  CHECK(off.out == "init=-1\n");
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

TEST_CASE("a FAILPOINTS name that no failpoint has ends the process with the closest names",
          "[env][names]") {
  for (const char* typo : {"probe.itn", "PROBE.INT", "int"}) {
    INFO(typo);
    auto r = run_program({probe, "values"}, {{"FAILPOINTS", std::string(typo) + "=return(7)"}});
    REQUIRE(r.exited);
    CHECK(r.status == 1);
    CHECK(r.out.empty());  // stopped at the first hit, before anything ran with a wrong setup
    CHECK_THAT(r.err, Catch::Contains(std::string("FAILPOINTS names \"") + typo + "\""));
    CHECK_THAT(r.err, Catch::Contains("did you mean \"probe.int\""));
    CHECK_THAT(r.err, Catch::Contains(std::string("write \"?") + typo + "=...\""));
  }
}

TEST_CASE("a program that hits no failpoint has its FAILPOINTS names checked at exit",
          "[env][names]") {
  auto r = run_program({probe, "none"}, {{"FAILPOINTS", "probe.int=return(1);probe.nope=off"}});
  REQUIRE(r.exited);
  CHECK(r.status == 1);
  CHECK(r.out == "ran\n");
  CHECK_THAT(r.err, Catch::Contains("FAILPOINTS names \"probe.nope\""));
  auto fine = run_program({probe, "none"}, {{"FAILPOINTS", "probe.int=return(1)"}});
  CHECK(fine.status == 0);
  CHECK(fine.err.empty());
}

TEST_CASE("a FAILPOINTS name marked ? waits for a library loaded later", "[env][names]") {
  auto marked = run_program({probe, "plugin", FAILPOINT_TEST_PLUGIN},
                            {{"FAILPOINTS", "?plugin.value=return(42)"}});
  CHECK(marked.status == 0);
  CHECK(marked.out == "plugin=42\n");
  CHECK(marked.err.empty());
  // Without the marker the name is unknown when the program first hits a failpoint.
  auto unmarked = run_program({probe, "plugin", FAILPOINT_TEST_PLUGIN},
                              {{"FAILPOINTS", "plugin.value=return(42)"}});
  CHECK(unmarked.status == 1);
  CHECK(unmarked.out.empty());
  CHECK_THAT(unmarked.err, Catch::Contains("FAILPOINTS names \"plugin.value\"") &&
                               Catch::Contains("write \"?plugin.value=...\""));
  // A value the library's site cannot take is named when the library registers it.
  auto misfit = run_program({probe, "plugin", FAILPOINT_TEST_PLUGIN},
                            {{"FAILPOINTS", "?plugin.value=return(\"x\")"}});
  CHECK(misfit.status == 0);
  CHECK(misfit.out == "plugin=0\n");
  CHECK_THAT(misfit.err, Catch::Contains("failpoint \"plugin.value\": value \"x\"") &&
                             Catch::Contains("cannot reach the site int at ") &&
                             Catch::Contains("plugin.cpp:"));
}

TEST_CASE("a FAILPOINTS value that cannot fit the failpoint's type ends the process",
          "[env][types]") {
  auto text = run_program({probe, "values"}, {{"FAILPOINTS", "probe.int=return(\"10\")"}});
  REQUIRE(text.exited);
  CHECK(text.status == 1);
  CHECK(text.out.empty());
  CHECK_THAT(text.err, Catch::Contains("FAILPOINTS entry for \"probe.int\"") &&
                           Catch::Contains("value \"10\" does not fit failpoint \"probe.int\" "
                                           "of type int at ") &&
                           Catch::Contains("env_probe.cpp:"));
  auto flag = run_program({probe, "flag"}, {{"FAILPOINTS", "probe.flag=return(1)"}});
  CHECK(flag.status == 1);
  CHECK_THAT(flag.err, Catch::Contains("value 1 does not fit failpoint \"probe.flag\" of type "
                                       "bool"));
  auto fits = run_program({probe, "flag"}, {{"FAILPOINTS", "probe.flag=return(true)"}});
  CHECK(fits.status == 0);
  CHECK(fits.out == "flag=1\n");
}

TEST_CASE("Go raw strings in FAILPOINTS keep ; and = and backslashes", "[env]") {
  auto r = run_program({probe, "values"},
                       {{"FAILPOINTS", "probe.string=return(`a;b=c\\n`);probe.int=return(3)"}});
  CHECK(r.status == 0);
  CHECK(r.out == "int=3 string=a;b=c\\n\n");
}

TEST_CASE("FAILPOINTS_HTTP in a process without the HTTP endpoint is reported on stderr",
          "[env][http]") {
  // env_probe links the runtime only: nothing can serve the endpoint.
  auto hit = run_program({probe, "values"}, {{"FAILPOINTS_HTTP", "127.0.0.1:0"}});
  CHECK(hit.status == 0);
  CHECK(hit.out == "int=-1 string=default\n");
  CHECK_THAT(hit.err, Catch::Contains("FAILPOINTS_HTTP=\"127.0.0.1:0\" is set but this process "
                                      "has no HTTP endpoint") &&
                          Catch::Contains("link failpoint::http"));
  auto none = run_program({probe, "none"}, {{"FAILPOINTS_HTTP", "127.0.0.1:0"}});
  CHECK(none.status == 0);
  CHECK_THAT(none.err, Catch::Contains("link failpoint::http"));
  // Said before main runs: the program's own failpoints register after every library loaded
  // at startup (the endpoint's included) has run its initializers.
  auto early = run_program({probe, "main"}, {{"FAILPOINTS_HTTP", "127.0.0.1:0"}});
  CHECK(early.status == 0);
  CHECK(early.err.find("link failpoint::http") < early.err.find("main\n"));
  CHECK(early.err.find("link failpoint::http", early.err.find("main\n")) == std::string::npos);
  auto unset = run_program({probe, "values"}, {{"FAILPOINTS_HTTP", ""}});
  CHECK(unset.err.empty());
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
