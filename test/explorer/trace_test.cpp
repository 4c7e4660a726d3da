// The hit trace (FAILPOINTS_TRACE) and the oracle (failpoint::was_injected): a real program with
// failpoints runs in a child process; the test reads back what its processes recorded.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "failpoint/explore.hpp"

#include "test/explorer/support.hpp"

namespace {

failpoint_test::child_result probe(const std::vector<std::string>& args, const std::string& trace,
                                   const std::string& failpoints = "") {
  std::vector<std::string> argv = {TRACE_PROBE};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env = {{"FAILPOINTS_TRACE", trace}};
  if (!failpoints.empty())
    env["FAILPOINTS"] = failpoints;
  return failpoint_test::run_program(argv, env);
}

std::vector<failpoint::traced_hit> hits_of(const failpoint::process_trace& t,
                                           const std::string& name) {
  std::vector<failpoint::traced_hit> out;
  for (const auto& h : t.hits)
    if (h.name == name)
      out.push_back(h);
  return out;
}

}  // namespace

TEST_CASE("the trace records each hit with its index, action and the failpoint's type",
          "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  const auto r = probe({"hits", "3"}, dir, "probe.Flag=2*off->1*return(true)->off");
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "fired 1\n");
  const auto traces = failpoint::read_trace(dir);
  REQUIRE(traces.size() == 1);
  const auto& t = traces[0];
  CHECK(t.overflow == 0);
  CHECK(t.pid > 0);
  std::map<std::string, std::string> types;
  for (const auto& p : t.points)
    types[p.name] = p.type;
  CHECK(types == std::map<std::string, std::string>{{"probe.Flag", "bool"}, {"probe.Void", ""}});
  const auto flag = hits_of(t, "probe.Flag");
  REQUIRE(flag.size() == 3);
  for (std::size_t i = 0; i < flag.size(); ++i) {
    CHECK(flag[i].hit == i + 1);
    CHECK(flag[i].thread == 1);
    CHECK(flag[i].injected == (i == 2));
    CHECK(flag[i].action == (i == 2 ? "return" : "off"));
  }
  CHECK(flag[0].term == 0);
  CHECK(flag[2].term == 1);
  CHECK(flag[0].time_ns <= flag[2].time_ns);
  // probe.Void is not named in FAILPOINTS: tracing armed it with `off`, so its reach is known.
  const auto void_hits = hits_of(t, "probe.Void");
  REQUIRE(void_hits.size() == 1);
  CHECK(void_hits[0].action == "off");
  CHECK_FALSE(void_hits[0].injected);
  CHECK(void_hits[0].sequence == 3);
}

TEST_CASE("the trace is complete after abort, _exit and SIGKILL", "[explorer][trace]") {
  struct ending {
    std::vector<std::string> args;
    std::string failpoints;
    bool exited;
    int status;
  };
  const ending endings[] = {
      {{"hits", "1"}, "probe.Flag=panic", false, SIGABRT},
      {{"exit"}, "probe.Flag=return(true)", true, 3},
      {{"sigkill"}, "probe.Flag=return(true)", false, SIGKILL},
  };
  for (const ending& e : endings) {
    INFO(e.args[0] << " with " << e.failpoints);
    const std::string dir = failpoint_test::temp_dir();
    const auto r = probe(e.args, dir, e.failpoints);
    CHECK(r.exited == e.exited);
    CHECK(r.status == e.status);
    const auto traces = failpoint::read_trace(dir);
    REQUIRE(traces.size() == 1);
    const auto flag = hits_of(traces[0], "probe.Flag");
    REQUIRE(flag.size() == 1);
    CHECK(flag[0].injected);
    CHECK(flag[0].hit == 1);
  }
}

TEST_CASE("a forked child traces into its own file with its own hit indexes", "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  const auto r = probe({"fork"}, dir, "probe.Flag=3*off->return(true)");
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  const auto traces = failpoint::read_trace(dir);
  REQUIRE(traces.size() == 2);
  const auto& parent = traces[0].parent_pid == traces[1].pid ? traces[1] : traces[0];
  const auto& child = &parent == &traces[0] ? traces[1] : traces[0];
  CHECK(child.parent_pid == parent.pid);
  const auto parent_hits = hits_of(parent, "probe.Flag");
  const auto child_hits = hits_of(child, "probe.Flag");
  REQUIRE(parent_hits.size() == 3);
  REQUIRE(child_hits.size() == 3);
  // The chain's counts were used up in the parent before the fork (two of three `off`) and
  // copied into the child, but each process counts its own hits from 1.
  CHECK(child_hits[0].hit == 1);
  CHECK(child_hits[2].hit == 3);
  CHECK(parent_hits[2].hit == 3);
  // Each process used the third `off` at its next hit, then the child went on to `return`.
  CHECK_FALSE(child_hits[0].injected);
  CHECK(child_hits[1].injected);
  CHECK_FALSE(parent_hits[2].injected);
}

TEST_CASE("hits of many threads each get their own index and thread ordinal", "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  const auto r = probe({"threads", "4"}, dir, "probe.Flag=return(false)");
  REQUIRE(r.exited);
  const auto traces = failpoint::read_trace(dir);
  REQUIRE(traces.size() == 1);
  const auto flag = hits_of(traces[0], "probe.Flag");
  REQUIRE(flag.size() == 400);
  std::set<std::uint64_t> indexes;
  std::map<std::uint32_t, int> per_thread;
  for (const auto& h : flag) {
    indexes.insert(h.hit);
    ++per_thread[h.thread];
  }
  CHECK(indexes.size() == 400);
  CHECK(*indexes.begin() == 1);
  CHECK(*indexes.rbegin() == 400);
  CHECK(per_thread.size() == 4);
  for (const auto& [thread, count] : per_thread)
    CHECK(count == 100);
}

TEST_CASE("hits beyond the record capacity are counted as overflow", "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  const auto r = probe({"hits", "70000"}, dir);
  REQUIRE(r.exited);
  const auto traces = failpoint::read_trace(dir);
  REQUIRE(traces.size() == 1);
  CHECK(traces[0].hits.size() == 65536);
  CHECK(traces[0].overflow == 70001 - 65536);
}

TEST_CASE("was_injected sees a fault that fired in a child process", "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  const auto with_fault = probe({"oracle"}, dir, "probe.Flag=return(true)");
  REQUIRE(with_fault.exited);
  CHECK(with_fault.status == 0);
  CHECK_THAT(with_fault.out,
             Catch::Contains("flag:1 void:0 any:1\ninjected probe.Flag k=1 return\n"));

  const std::string clean = failpoint_test::temp_dir();
  const auto without = probe({"oracle"}, clean);
  REQUIRE(without.exited);
  CHECK_THAT(without.out, Catch::Contains("flag:0 void:0 any:0\nfired 0"));
}

TEST_CASE("without FAILPOINTS_TRACE nothing is traced and the oracle refuses to guess",
          "[explorer][trace]") {
  auto r = failpoint_test::run_program({TRACE_PROBE, "oracle"}, {});
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("flag:0 void:0 any:0"));
  r = failpoint_test::run_program({TRACE_PROBE, "oracle"}, {{"FAILPOINTS", "probe.Flag=off"}});
  CHECK_FALSE(r.exited);  // std::logic_error escaped main: std::terminate
  CHECK(r.status == SIGABRT);
  CHECK_THAT(r.err, Catch::Contains("FAILPOINTS is set but FAILPOINTS_TRACE is not"));
}

TEST_CASE("read_trace rejects a file that is not a trace", "[explorer][trace]") {
  const std::string dir = failpoint_test::temp_dir();
  std::ofstream(dir + "/1.trace") << std::string(8192, 'x');
  CHECK_THROWS_WITH(failpoint::read_trace(dir), Catch::Contains("is not a failpoint trace file"));
  CHECK_THROWS_AS(failpoint::read_trace(dir + "/missing"), failpoint::trace_error);
}
