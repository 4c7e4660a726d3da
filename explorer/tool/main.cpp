// failpoint-explore: runs a test under every fault it can reach and replays the failures.
//   failpoint-explore [options] -- COMMAND [ARGS...]
//   failpoint-explore replay [--expect-pass] FILE
//   failpoint-explore html REPORT --out DIR
// See docs/explorer.md and README.md ("Exploring faults").
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "explorer/explore.hpp"
#include "explorer/html_report.hpp"

namespace {

namespace fs = std::filesystem;
using failpoint::explorer::exit_usage;

std::chrono::milliseconds seconds_option(double s) {
  return std::chrono::milliseconds(static_cast<long>(s * 1000));
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
  std::vector<std::string> command;
  app.add_option("command", command, "The test command, after --");

  CLI::App* replay = app.add_subcommand("replay", "Re-run a counterexample file");
  std::string replay_file;
  bool expect_pass = false;
  replay->add_option("file", replay_file, "A failure-N.json written by an exploration")
      ->required()
      ->check(CLI::ExistingFile);
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
    if (command.empty()) {
      std::cerr << "failpoint-explore: no command; usage: failpoint-explore [options] -- COMMAND "
                   "[ARGS...]\n";
      return exit_usage;
    }
    opts.cmd.cwd = fs::absolute(cwd.empty() ? fs::current_path() : fs::path(cwd)).string();
    if (command[0].find('/') != std::string::npos)
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
    return ex::explore(opts, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "failpoint-explore: " << e.what() << "\n";
    return exit_usage;
  }
}
