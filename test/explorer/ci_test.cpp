// failpoint-explore's CI mode (--changed-since, --changed-only, --baseline-cache, --new-only) and
// the errors of --coverage, on real programs: a small program compiled here in a temporary git
// repository (edited and recompiled between explorations), and planted.cpp behind a script.
#include "explorer/ci.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test/explorer/support.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace explorer_test;

// Three bool failpoints, one per line 6, 8 and 9; `second` and `third` are the statements after
// the sites of ci.Second and ci.Third. ci.First's `true` is a bug (exit 1).
std::string program(const std::string& second, const std::string& third) {
  return "// prog.cpp: three failpoints, each on its own line.\n"
         "#include <cstdio>\n"
         "#include \"failpoint/failpoint.hpp\"\n"
         "int main() {\n"
         "  bool lost = false;\n"
         "  if (auto fp = FAILPOINT_VALUE(\"ci.First\", bool)) lost = *fp;\n"
         "  if (lost) { std::fprintf(stderr, \"Assertion failed: first record lost\\n\"); return "
         "1; }\n"
         "  if (auto fp = FAILPOINT_VALUE(\"ci.Second\", bool)) " +
         second +
         "\n"
         "  if (auto fp = FAILPOINT_VALUE(\"ci.Third\", bool)) " +
         third +
         "\n"
         "  return 0;\n"
         "}\n";
}

const std::string harmless = "{ (void)*fp; }";
const std::string second_bug =
    "{ if (*fp) { std::fprintf(stderr, \"Assertion failed: second\\n\"); return 1; } }";

void must_run(const std::vector<std::string>& argv) {
  const auto r = failpoint_test::run_program(argv, {}, std::chrono::seconds(120));
  INFO(r.out << r.err);
  REQUIRE(r.exited);
  REQUIRE(r.status == 0);
}

// A git repository in `dir`/repo holding prog.cpp (committed), and the program built from it.
struct repository {
  std::string dir, source, binary;

  explicit repository(const std::string& d)
      : dir(d + "/repo"), source(dir + "/prog.cpp"), binary(d + "/prog") {
    fs::create_directories(dir);
    must_run({GIT_COMMAND, "-C", dir, "init", "-q"});
    must_run({GIT_COMMAND, "-C", dir, "config", "user.email", "test@example.com"});
    must_run({GIT_COMMAND, "-C", dir, "config", "user.name", "test"});
    edit(program(harmless, harmless));
    must_run({GIT_COMMAND, "-C", dir, "add", "prog.cpp"});
    must_run({GIT_COMMAND, "-C", dir, "commit", "-q", "-m", "v1"});
  }

  // Writes prog.cpp and compiles it (the site's __FILE__ is its absolute path).
  void edit(const std::string& text) const {
    failpoint_test::write_file(source, text);
    const std::string runtime = FAILPOINT_RUNTIME;
    std::vector<std::string> argv = {CXX_COMPILER,
                                     "-std=c++17",
                                     "-I",
                                     FAILPOINT_INCLUDE,
                                     source,
                                     runtime,
                                     "-Wl,-rpath," + fs::path(runtime).parent_path().string(),
                                     "-o",
                                     binary};
    if (const std::string sanitize = SANITIZE_FLAGS; !sanitize.empty())
      argv.push_back(sanitize);
    must_run(argv);
  }
};

// The failpoint of each run of a report, in the report's order (depth 1: one fault each).
std::vector<std::string> run_failpoints(const json& report) {
  std::vector<std::string> out;
  for (const json& r : report.at("runs"))
    out.push_back(r.at("schedule")[0].at("failpoint").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("CI mode: --changed-since runs the schedules of failpoints on changed lines first",
          "[explorer][ci]") {
  const std::string dir = failpoint_test::temp_dir();
  const repository repo(dir);
  const std::vector<std::string> common = {"--depth", "1", "--reproduce", "0", "-j", "2"};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), common.begin(), common.end());
    return more;
  };

  // Nothing changed: the usual order (by name), and the report says no failpoint changed.
  exploration e = explore(dir, with({"--changed-since", "HEAD"}), {repo.binary});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.status == 1);  // ci.First's bug
  CHECK(e.report.at("changed").at("failpoints").empty());
  CHECK(run_failpoints(e.report) == std::vector<std::string>{"ci.First", "ci.First", "ci.Second",
                                                             "ci.Second", "ci.Third", "ci.Third"});

  // ci.Third's line changes: its schedules come first, then the others in their usual order.
  repo.edit(program(harmless, "{ (void)!*fp; }"));
  e = explore(dir, with({"--changed-since", "HEAD"}), {repo.binary});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.status == 1);
  REQUIRE(e.report.at("changed").at("failpoints").size() == 1);
  const json& changed = e.report.at("changed").at("failpoints")[0];
  CHECK(changed.at("name") == "ci.Third");
  CHECK(fs::equivalent(changed.at("file").get<std::string>(), repo.source));
  CHECK(changed.at("line") == 9);
  CHECK(run_failpoints(e.report) == std::vector<std::string>{"ci.Third", "ci.Third", "ci.First",
                                                             "ci.First", "ci.Second", "ci.Second"});
  CHECK_THAT(e.result.out, Catch::Contains("1 of 3 failpoints reached are on changed lines"));
  CHECK(e.report.at("failures").size() == 1);  // the rest still runs: ci.First's bug is found

  // --changed-only: only those.
  e = explore(dir, with({"--changed-since", "HEAD", "--changed-only"}), {repo.binary});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 0);
  CHECK(run_failpoints(e.report) == std::vector<std::string>{"ci.Third", "ci.Third"});
  CHECK(e.report.at("changed").at("skipped") == 4);

  // A revision git does not know is a usage error that says so.
  e = explore(dir, with({"--changed-since", "no-such-revision"}), {repo.binary});
  CHECK(e.result.status == 2);
  CHECK_THAT(e.result.err, Catch::Contains("git diff in"));
  CHECK_THAT(e.result.err, Catch::Contains("no-such-revision"));
}

TEST_CASE("CI mode: --new-only reports only failures an earlier report did not have",
          "[explorer][ci]") {
  const std::string dir = failpoint_test::temp_dir();
  const repository repo(dir);
  const std::vector<std::string> common = {"--depth", "1", "--reproduce", "0"};
  exploration e = explore(dir, common, {repo.binary});
  REQUIRE(e.result.status == 1);
  REQUIRE(e.report.at("failures").size() == 1);
  fs::copy_file(dir + "/report.json", dir + "/earlier.json");

  // The same failure again: known, so the exit status is 0; it is still in the report.
  std::vector<std::string> options = common;
  options.insert(options.end(), {"--new-only", dir + "/earlier.json"});
  e = explore(dir, options, {repo.binary});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 0);
  REQUIRE(e.report.at("failures").size() == 1);
  CHECK(e.report.at("failures")[0].at("known") == true);
  CHECK(e.report.at("runs").size() == 6);
  CHECK(e.report.at("new_only").at("new_failures") == 0);
  CHECK_THAT(e.result.out, Catch::Contains("0 new failures, 1 known"));
  CHECK_THAT(e.result.out, Catch::Contains("FAILURE 1 (known: in"));

  // A new bug at ci.Second: exit status 1, and only it is new.
  repo.edit(program(second_bug, harmless));
  e = explore(dir, options, {repo.binary});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 1);
  REQUIRE(e.report.at("failures").size() == 2);
  int fresh = 0;
  for (const json& f : e.report.at("failures")) {
    if (f.at("known") == false) {
      ++fresh;
      CHECK_THAT(f.at("key").get<std::string>(), Catch::Contains("second"));
    }
  }
  CHECK(fresh == 1);
  CHECK(e.report.at("new_only").at("new_failures") == 1);

  // Not a report: a usage error naming the file.
  failpoint_test::write_file(dir + "/bogus.json", "{\"format\": \"something else\"}");
  e = explore(dir, {"--depth", "1", "--new-only", dir + "/bogus.json"}, {repo.binary});
  CHECK(e.result.status == 2);
  CHECK_THAT(e.result.err, Catch::Contains("bogus.json\" is not a failpoint-explore report"));
}

TEST_CASE("CI mode: --baseline-cache skips the baseline runs until the command's files change",
          "[explorer][ci]") {
  const std::string dir = failpoint_test::temp_dir();
  // A script that counts its runs, then runs the planted program.
  const std::string script = dir + "/planted.sh";
  const std::string header = "#!/bin/sh\necho run >> '" + dir + "/count'\n";
  failpoint_test::write_file(script, header + "exec '" PLANTED "' \"$@\"\n");
  fs::permissions(script, fs::perms::owner_all);
  auto runs_counted = [&] {
    std::ifstream in(dir + "/count");
    int n = 0;
    for (std::string line; std::getline(in, line);)
      ++n;
    fs::remove(dir + "/count");
    return n;
  };
  const std::vector<std::string> options = {"--depth",          "1",           "--reproduce", "0",
                                            "--baseline-cache", dir + "/cache"};

  exploration e = explore(dir, options, {script, "single"});
  INFO(e.result.out << e.result.err);
  REQUIRE(e.result.status == 1);
  CHECK(e.report.at("baseline_cached") == false);
  CHECK(runs_counted() == 2 + 11);  // two baseline runs, 11 schedules
  const json first = e.report;

  e = explore(dir, options, {script, "single"});
  INFO(e.result.out << e.result.err);
  CHECK(e.report.at("baseline_cached") == true);
  CHECK(runs_counted() == 11);  // no baseline run
  CHECK_THAT(e.result.out, Catch::Contains("baseline cache: reusing"));
  CHECK(e.report.at("runs").size() == first.at("runs").size());
  CHECK(failing_schedules(e.report) == failing_schedules(first));
  CHECK(e.report.at("failpoints") == first.at("failpoints"));

  // Another argument is another command: no entry yet.
  e = explore(dir, options, {script, "combo"});
  CHECK(e.report.at("baseline_cached") == false);
  CHECK(runs_counted() == 2 + 4);

  // The script changes: the entry is stale and refused; the baseline runs again.
  failpoint_test::write_file(script, header + "# changed\nexec '" PLANTED "' \"$@\"\n");
  e = explore(dir, options, {script, "single"});
  INFO(e.result.out << e.result.err);
  CHECK(e.report.at("baseline_cached") == false);
  CHECK_THAT(e.result.out, Catch::Contains("is stale (" + script + " changed"));
  CHECK(runs_counted() == 2 + 11);
}

TEST_CASE("coverage: --coverage says what is missing: gcov counters, gcovr",
          "[explorer][coverage]") {
  const std::string dir = failpoint_test::temp_dir();
  // planted is not built with --coverage: its runs write no .gcda file.
  exploration e = explore(dir, {"--depth", "1", "--coverage"}, {PLANTED, "single"});
  CHECK(e.result.status == 2);
  CHECK_THAT(e.result.out, Catch::Contains("not built with --coverage"));

  // No gcovr in PATH.
  const auto r = failpoint_test::run_program(
      {FAILPOINT_EXPLORE, "--coverage", "--out", dir + "/out", "--", PLANTED, "single"},
      {{"PATH", dir}}, std::chrono::seconds(60));
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--coverage needs gcovr, which is not in PATH"));

  // Not with a shard: refused before anything runs.
  e = explore(dir, {"--state", dir + "/state", "--shard", "0/2", "--coverage"},
              {PLANTED, "single"});
  CHECK(e.result.status == 2);
  CHECK_THAT(e.result.err, Catch::Contains("unsharded exploration only"));
}

TEST_CASE("CI mode: the new lines of a unified diff, and the lines of a comment failpoint",
          "[explorer][ci]") {
  const std::string dir = failpoint_test::temp_dir();
  const std::string diff =
      "diff --git a.cpp a.cpp\n"
      "--- a.cpp\n"
      "+++ a.cpp\n"
      "@@ -3,0 +4,2 @@ int f() {\n"
      "+x\n"
      "+y\n"
      "@@ -10 +12 @@\n"
      "-a\n"
      "+b\n"
      "@@ -20,2 +21,0 @@\n"
      "-c\n"
      "-d\n"
      "diff --git gone.cpp gone.cpp\n"
      "--- gone.cpp\n"
      "+++ /dev/null\n"
      "@@ -1,2 +0,0 @@\n";
  const failpoint::explorer::changed_lines lines =
      failpoint::explorer::parse_unified_diff(diff, dir);
  REQUIRE(lines.size() == 1);
  CHECK(lines.begin()->first == fs::weakly_canonical(dir + "/a.cpp").string());
  // Added 4-5, replaced 12, removed after 21 (the lines on both sides of the removal).
  CHECK(lines.begin()->second == std::set<unsigned>{4, 5, 12, 21, 22});

  const std::string source = dir + "/f.cpp";
  failpoint_test::write_file(source,
                             "int f() {\n"
                             "  // failpoint: var Save bool\n"
                             "  // if (Save) return 1;\n"
                             "  // return 2;\n"
                             "  // failpoint: var Other\n"
                             "  return 0;\n"
                             "}\n");
  CHECK(failpoint::explorer::site_last_line(source, 2) == 4);  // its body: lines 3 and 4
  CHECK(failpoint::explorer::site_last_line(source, 5) == 5);  // no body
  CHECK(failpoint::explorer::site_last_line(source, 6) == 6);  // not a comment failpoint
  CHECK(failpoint::explorer::site_last_line(dir + "/none.cpp", 7) == 7);
}
