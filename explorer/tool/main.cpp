// failpoint-explore: runs a test under every fault it can reach and replays the failures.
//   failpoint-explore [options] -- COMMAND [ARGS...]
//   failpoint-explore [options] --state DIR --shard I/N -- COMMAND [ARGS...]
//   failpoint-explore merge --state DIR
//   failpoint-explore [options] --each-test-case -- TEST-BINARY [ARGS...]
//   failpoint-explore ctest [--test-dir DIR] [-R REGEX] [-E REGEX] [options]
//   failpoint-explore replay [--expect-pass] FILE
//   failpoint-explore html REPORT --out DIR
//   failpoint-explore replay --id ID (--report FILE | --state DIR)
// See docs/explorer.md and README.md ("Exploring faults").
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "explorer/explore.hpp"
#include "explorer/html_report.hpp"
#include "explorer/matrix.hpp"
#include "explorer/suite.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using failpoint::explorer::exit_usage;

std::chrono::milliseconds seconds_option(double s) {
  return std::chrono::milliseconds(static_cast<long>(s * 1000));
}

// The environment, as a map (shard variables are read from it).
std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos)
      out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

// `failpoint-explore ctest`: the selected tests of the build tree, explored one by one.
int explore_ctest(const failpoint::explorer::ctest_query& query,
                  const failpoint::explorer::suite_options& how,
                  const failpoint::explorer::options& opts) {
  namespace ex = failpoint::explorer;
  const std::vector<ex::ctest_test> tests = ex::list_ctest_tests(query);
  if (tests.empty()) {
    std::string selection;
    if (!query.include_regex.empty() || !query.exclude_regex.empty())
      selection = " matches";
    if (!query.include_regex.empty())
      selection += fmt::format(" -R \"{}\"", query.include_regex);
    if (!query.exclude_regex.empty())
      selection += fmt::format(" but not -E \"{}\"", query.exclude_regex);
    fs::path dir = query.test_dir.empty() ? fs::current_path()
                                          : fs::absolute(query.test_dir).lexically_normal();
    if (!dir.has_filename())
      dir = dir.parent_path();
    std::cerr << fmt::format("failpoint-explore ctest: no test in \"{}\"{}\n", dir.string(),
                             selection);
    return exit_usage;
  }
  std::cout << fmt::format("explore: {} ctest tests\n", tests.size());
  return ex::explore_units(ex::ctest_units(tests, opts.cmd.seed, how, std::cout), opts, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  namespace ex = failpoint::explorer;
  CLI::App app{
      "Runs COMMAND (a passing test of a program built with failpoints) once per fault it can "
      "reach, then with combinations, and writes a replayable counterexample per distinct "
      "failure. Exit status: 0 no failure, 1 failures found, 2 usage or baseline error."};
  app.set_version_flag("--version", "failpoint-explore 0.1.0");
  ex::options opts;
  opts.jobs = std::max(1u, std::thread::hardware_concurrency());
  opts.out_dir = "failpoint-explore-out";
  std::uint64_t max_runs = 0;
  double time_budget = 0, timeout = 0;
  std::string menu_file, cwd, progress = "auto";
  std::vector<std::string> extra_faults, env;
  app.add_option("--depth", opts.depth, "Faults per schedule at most (combinations)")
      ->default_val(2)
      ->check(CLI::Range(1, 8));
  app.add_option("-j,--jobs", opts.jobs, "Runs at once (default: the number of cores)")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--max-runs", max_runs, "Schedules run at most")->check(CLI::PositiveNumber);
  app.add_option("--time-budget", time_budget, "Seconds of exploration at most")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", timeout,
                 "Seconds a run may take before it counts as a hang (default: 10 times the "
                 "slowest baseline run, at least 2)")
      ->check(CLI::PositiveNumber);
  app.add_option("--faults", menu_file,
                 "JSON file mapping failpoint globs to fault terms, e.g. "
                 "{\"foo.Call*\": [\"return(\\\"refused\\\")\"]}")
      ->check(CLI::ExistingFile);
  app.add_option("--with", extra_faults,
                 "A fault every failpoint also gets (opt-in), e.g. panic, throw, sleep(200), "
                 "pause; repeatable");
  app.add_flag("--fail-fast", opts.fail_fast, "Stop at the first failure");
  app.add_option("--reproduce", opts.reproduce_runs, "Re-runs of each distinct failure")
      ->default_val(3)
      ->check(CLI::Range(0, 100));
  app.add_option("--out", opts.out_dir, "Directory for the counterexamples")
      ->default_val("failpoint-explore-out");
  app.add_option("--report", opts.report_file, "Write every run to this JSON file");
  app.add_option("--html", opts.html_dir,
                 "Write the report as a self-contained page, DIR/index.html (created)");
  app.add_option("--seed", opts.cmd.seed, "FAILPOINTS_SEED of the runs and the hit sampling")
      ->default_val(1);
  app.add_option("--env", env, "NAME=VALUE set for the command; repeatable");
  app.add_option("-C,--cwd", cwd, "Directory the command runs in (default: the current one)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--work-dir", opts.work_parent,
                 "Where each run's temporary directory and trace go (default: /dev/shm when "
                 "writable, else $TMPDIR)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--progress", progress, "auto (a bar on a terminal), bar or lines")
      ->check(CLI::IsMember({"auto", "bar", "lines"}));
  app.add_option("--matrix", opts.matrix,
                 "Run walks instead of the search: per failpoint the terms it takes, e.g. "
                 "'a=off,return(1);b=off,sleep(10),panic'; the cartesian product by default");
  app.add_flag("--pairwise", opts.pairwise,
               "With --matrix: a pairwise covering array (every pair of terms of any two "
               "failpoints) instead of the product");
  std::string shard_flag;
  unsigned shard_total = 0;
  app.add_option("--shard", shard_flag,
                 "Run shard I of N of the current round (needs --state); default from "
                 "TEST_SHARD_INDEX/TEST_TOTAL_SHARDS, GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS or "
                 "JOB_COMPLETION_INDEX");
  app.add_option("--shard-total", shard_total,
                 "The number of shards with JOB_COMPLETION_INDEX (else FAILPOINT_EXPLORE_SHARDS)")
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--state", opts.state_dir,
                 "Directory the shards and the merge of a sharded exploration share");
  app.add_flag("--coverage", opts.coverage,
               "For a program built with --coverage (gcov): each run writes its counters to its "
               "own directory; gcovr merges them into the baseline's coverage, the coverage "
               "under faults and the lines only faults reach (coverage.json, coverage.txt in "
               "--out)");
  app.add_option("--coverage-root", opts.coverage_root,
                 "Source files --coverage reports: those under this directory (default: the "
                 "command's directory)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--changed-since", opts.changed_since,
                 "Git revision: schedules of failpoints on lines changed since it (git diff, in "
                 "the repository of the failpoints' sources) run first in each depth");
  app.add_flag("--changed-only", opts.changed_only,
               "With --changed-since: run only the schedules of changed failpoints");
  app.add_option("--baseline-cache", opts.baseline_cache,
                 "Directory of baselines reused while the command and the files it names are "
                 "unchanged (content hashes)");
  app.add_option("--new-only", opts.new_only,
                 "An earlier --report: its failures are known; only new ones make the exit "
                 "status 1")
      ->check(CLI::ExistingFile);
  std::vector<std::string> command;
  app.add_option("command", command, "The test command, after --");

  CLI::App* merge = app.add_subcommand(
      "merge", "Combine the shard files of a round; plan the next round or write the outputs");
  ex::merge_options mopts;
  mopts.jobs = opts.jobs;
  merge->add_option("--state", mopts.state_dir, "The shards' state directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  merge->add_option("--out", mopts.out_dir, "Directory for the counterexamples")
      ->default_val("failpoint-explore-out");
  merge->add_option("--report", mopts.report_file,
                    "Also write the report here (it always goes to STATE/report.json)");
  merge->add_option("--html", mopts.html_dir,
                    "After the last round, also write the report as one page, DIR/index.html");
  merge->add_option("-j,--jobs", mopts.jobs, "Re-runs of failures at once")
      ->check(CLI::Range(1u, 256u));
  merge->add_option("--work-dir", mopts.work_parent, "Where the re-runs' directories go")
      ->check(CLI::ExistingDirectory);

  bool each_test_case = false;
  std::string framework = "auto";
  app.add_flag("--each-test-case", each_test_case,
               "Explore each test case of a Catch2 or GoogleTest program on its own (in ctest "
               "mode: of each test whose command is one)");
  app.add_option("--framework", framework,
                 "With --each-test-case: auto (recognized from the program), catch2 or gtest")
      ->check(CLI::IsMember({"auto", "catch2", "gtest"}));

  CLI::App* ctest = app.add_subcommand(
      "ctest", "Explore the tests of a CMake build tree (ctest --show-only=json-v1)");
  ctest->fallthrough();  // the exploration options above apply after `ctest` too
  ex::ctest_query query;
  ctest->add_option("--test-dir", query.test_dir,
                    "The build directory whose tests are explored (default: the current one)");
  ctest->add_option("-R,--tests-regex", query.include_regex, "Only the tests matching REGEX");
  ctest->add_option("-E,--exclude-regex", query.exclude_regex, "Not the tests matching REGEX");
  ctest->add_option("--build-config", query.build_config,
                    "ctest -C CONFIG, for multi-configuration generators");
  ctest->add_option("--ctest-command", query.ctest, "The ctest program")->default_val("ctest");

  CLI::App* replay = app.add_subcommand("replay", "Re-run a counterexample file");
  std::string replay_file;
  bool expect_pass = false;
  std::string walk, walk_report, walk_state;
  replay->add_option("file", replay_file, "A failure-N.json written by an exploration")
      ->check(CLI::ExistingFile);
  replay->add_option("--id", walk, "Re-run the matrix walk with this id (from a report)");
  replay->add_option("--report", walk_report, "With --id: the report that has the walk");
  replay->add_option("--state", walk_state,
                     "With --id: the state directory of a merged exploration (its report.json)");
  replay->add_flag("--expect-pass", expect_pass,
                   "Succeed when the run passes with every planned fault fired (after a fix)");

  CLI::App* html = app.add_subcommand(
      "html", "Write a report file (--report, or merged shards) as a page, DIR/index.html");
  std::string html_report, html_out;
  html->add_option("report", html_report, "A report written by --report")->required();
  html->add_option("--out", html_out, "Directory of the page (created)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), exit_usage);
  }

  try {
    if (*replay) {
      if (!walk.empty()) {
        if (walk_report.empty() == walk_state.empty()) {
          std::cerr << "failpoint-explore replay --id: give the walk's --report FILE or --state "
                       "DIR (one of them)\n";
          return exit_usage;
        }
        return ex::replay_walk(walk,
                               walk_report.empty() ? walk_state + "/report.json" : walk_report,
                               fs::temp_directory_path().string(), std::cout);
      }
      if (replay_file.empty()) {
        std::cerr << "failpoint-explore replay: give a counterexample FILE or --id ID\n";
        return exit_usage;
      }
      return ex::replay(replay_file, expect_pass, fs::temp_directory_path().string(), std::cout);
    }
    if (*html) {
      try {
        const nlohmann::json report = ex::read_report(html_report);
        std::vector<std::string> missing;
        const std::string page = ex::write_html_report(
            report, html_out, fs::absolute(html_report).parent_path().string(), missing);
        for (const std::string& m : missing)
          std::cerr << "failpoint-explore html: counterexample " << m
                    << ": its failure is shown without reproducer and output\n";
        std::cout << page << "\n";
        return 0;
      } catch (const std::runtime_error& e) {
        std::cerr << "failpoint-explore html: " << e.what() << "\n";
        return exit_usage;
      }
    }
    if (*merge)
      return ex::merge(mopts, std::cout);
    if (*ctest && (!command.empty() || !env.empty() || !cwd.empty())) {
      std::cerr << "failpoint-explore ctest: the tests' commands, environments and "
                   "directories come from ctest; no COMMAND, --env or --cwd\n";
      return exit_usage;
    }
    if (command.empty() && !*ctest) {
      std::cerr << "failpoint-explore: no command; usage: failpoint-explore [options] -- COMMAND "
                   "[ARGS...]\n";
      return exit_usage;
    }
    opts.cmd.cwd = fs::absolute(cwd.empty() ? fs::current_path() : fs::path(cwd)).string();
    if (!command.empty() && command[0].find('/') != std::string::npos)
      command[0] = (fs::path(opts.cmd.cwd) / command[0]).lexically_normal().string();
    opts.cmd.argv = command;
    for (const std::string& e : env) {
      const auto eq = e.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << fmt::format("failpoint-explore: --env \"{}\": expected NAME=VALUE\n", e);
        return exit_usage;
      }
      opts.cmd.env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    if (opts.changed_only && opts.changed_since.empty()) {
      std::cerr << "failpoint-explore: --changed-only needs --changed-since REV\n";
      return exit_usage;
    }
    if (!opts.coverage_root.empty())
      opts.coverage_root = fs::absolute(opts.coverage_root).lexically_normal().string();
    if (!menu_file.empty())
      opts.menus = ex::read_menu_file(menu_file);
    for (const std::string& term : extra_faults)
      ex::check_fault_term(term, "--with");
    opts.menus.extra = extra_faults;
    if (max_runs > 0)
      opts.max_runs = max_runs;
    if (time_budget > 0)
      opts.time_budget = seconds_option(time_budget);
    if (timeout > 0)
      opts.timeout = seconds_option(timeout);
    opts.progress_bar = progress == "bar" || (progress == "auto" && ::isatty(STDOUT_FILENO));
    // A directory that cannot be made is an error before the exploration, not after it.
    if (!opts.html_dir.empty()) {
      std::error_code ec;
      fs::create_directories(opts.html_dir, ec);
      if (ec) {
        std::cerr << fmt::format("failpoint-explore: --html \"{}\": cannot create it: {}\n",
                                 opts.html_dir, ec.message());
        return exit_usage;
      }
    }
    if (!opts.matrix.empty())
      ex::parse_matrix(opts.matrix);  // its errors before the baseline
    else if (opts.pairwise)
      throw std::runtime_error("--pairwise needs --matrix");
    ex::suite_options how;
    how.each_test_case = each_test_case;
    if (framework != "auto")
      how.forced = framework == "gtest" ? ex::framework::gtest : ex::framework::catch2;
    // Each test or case is one exploration of its own: shards are for one command.
    if ((*ctest || each_test_case) && (!shard_flag.empty() || !opts.state_dir.empty()))
      throw std::runtime_error(
          "--shard and --state are for one command, not with ctest or --each-test-case");
    if (*ctest)
      return explore_ctest(query, how, opts);
    if (each_test_case)
      return ex::explore_units(ex::command_units(opts.cmd, how, std::cout), opts, std::cout);
    opts.shard = ex::shard_from(shard_flag,
                                shard_total ? std::optional<unsigned>(shard_total) : std::nullopt,
                                environment());
    if (opts.shard) {
      // The engine's variables are the explorer's: the test under it runs whole.
      for (const std::string& v : opts.shard->variables)
        opts.cmd.unset.insert(v);
      // Bazel's protocol: touching the status file says the test understood sharding.
      if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE"))
        std::ofstream(status, std::ios::app);
    } else if (!opts.state_dir.empty()) {
      throw std::runtime_error(
          "--state is for shards: give --shard I/N (or the engine's variables); an unsharded "
          "exploration keeps no state");
    }
    return ex::explore(opts, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "failpoint-explore: " << e.what() << "\n";
    return exit_usage;
  }
}
