// explorer/suite.cpp: exploring the tests of a ctest tree and the cases of a test binary one by
// one (suite.hpp).
#include "explorer/suite.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The longest a baseline run may take when no --timeout is given (explore()'s own bound).
constexpr std::chrono::milliseconds unit_baseline_timeout{120000};

std::string unit_label(const unit& u) {
  if (u.test.empty())
    return fmt::format("case \"{}\"", u.test_case);
  if (u.test_case.empty())
    return fmt::format("test \"{}\"", u.test);
  return fmt::format("test \"{}\" case \"{}\"", u.test, u.test_case);
}

std::vector<std::string> environment_of(const command& cmd) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (name.rfind("FAILPOINTS", 0) != 0 && cmd.env.count(name) == 0)
      env.push_back(entry);
  }
  for (const auto& [name, value] : cmd.env)
    env.push_back(name + "=" + value);
  return env;
}

// Runs a fixture's setup or cleanup test once, without faults; returns why it failed, or "".
std::string run_fixture(const command& cmd, const std::string& work) {
  try {
    const process_result p =
        run_process(cmd.argv, cmd.cwd, environment_of(cmd), work + "/fixture.out",
                    work + "/fixture.out", unit_baseline_timeout);
    if (p.exited && p.code == 0)
      return {};
    return fmt::format("fixture test \"{}\" failed ({} {})", cmd.argv.at(0),
                       p.timed_out ? "timed out"
                       : p.exited  ? "exit status"
                                   : "signal",
                       p.code);
  } catch (const std::exception& e) {
    return fmt::format("fixture test \"{}\": {}", cmd.argv.at(0), e.what());
  }
}

bool reached_a_failpoint(const run_result& r) {
  for (const process_trace& p : r.trace) {
    if (!p.hits.empty() || !p.points.empty())
      return true;
  }
  return false;
}

std::string tail_lines(const std::string& text, std::size_t bytes = 1000) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

// What became of a unit, for the summary and the suite report.
struct unit_result {
  std::string status;  // "failures", "no failure", "skipped", "error"
  std::string note;
  std::string out;
  std::size_t runs = 0;
  json failures = json::array();
  std::string report;
};

}  // namespace

std::string directory_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    out += keep ? c : '_';
  }
  if (out.empty() || out == "." || out == "..")
    out = "_" + out;
  return out;
}

std::vector<unit> command_units(const command& cmd, const suite_options& how, std::ostream& log) {
  unit whole;
  whole.cmd = cmd;
  if (!how.each_test_case)
    return {whole};
  const framework f = how.forced.value_or(detect_framework(cmd.argv.at(0)));
  if (f == framework::none)
    throw std::runtime_error(fmt::format(
        "--each-test-case: \"{}\" is neither a Catch2 (v2) nor a GoogleTest program (give "
        "--framework catch2 or gtest if it is one)",
        cmd.argv.at(0)));
  const std::vector<test_case> cases = list_test_cases(f, cmd.argv, cmd.cwd, cmd.env);
  if (cases.empty())
    throw std::runtime_error(fmt::format("--each-test-case: \"{}\" lists no {} test case",
                                         cmd.argv.at(0), framework_name(f)));
  log << fmt::format("explore: {} test cases of {} program \"{}\"\n", cases.size(),
                     framework_name(f), cmd.argv.at(0));
  std::vector<unit> units;
  for (const test_case& c : cases) {
    unit u;
    u.test_case = c.name;
    u.cmd = cmd;
    u.cmd.argv = case_argv(f, cmd.argv, c.name);
    if (c.disabled)
      u.skip = "disabled (GoogleTest runs DISABLED_ tests only when asked)";
    units.push_back(std::move(u));
  }
  return units;
}

std::vector<unit> ctest_units(const std::vector<ctest_test>& tests, std::uint64_t seed,
                              const suite_options& how, std::ostream& log) {
  auto command_of = [&](const ctest_test& t) {
    command c;
    c.argv = t.argv;
    c.cwd = t.cwd;
    c.env = t.env;
    c.seed = seed;
    return c;
  };
  auto fixture_commands = [&](const std::vector<std::string>& fixtures, bool setup) {
    std::vector<command> out;
    for (const ctest_test& t : tests) {
      const auto& provides = setup ? t.fixtures_setup : t.fixtures_cleanup;
      const bool wanted = std::any_of(provides.begin(), provides.end(), [&](const std::string& f) {
        return std::find(fixtures.begin(), fixtures.end(), f) != fixtures.end();
      });
      if (wanted && !t.argv.empty())
        out.push_back(command_of(t));
    }
    return out;
  };
  std::vector<unit> units;
  for (const ctest_test& t : tests) {
    unit u;
    u.test = t.name;
    u.cmd = command_of(t);
    u.one_at_a_time = t.run_serial || !t.resource_locks.empty();
    u.locks = t.resource_locks;
    u.skip_return_code = t.skip_return_code;
    if (t.disabled) {
      u.skip = "DISABLED";
    } else if (t.will_fail) {
      u.skip = "WILL_FAIL (it passes when its command fails: the opposite of the explorer's pass)";
    } else if (t.argv.empty()) {
      u.skip = "ctest has no command for it (its executable was not found: is it built?)";
    } else if (!t.fixtures_setup.empty() || !t.fixtures_cleanup.empty()) {
      u.skip = "a fixture's setup or cleanup test (run once around each test that requires it)";
    } else if (!t.not_explorable.empty()) {
      u.skip = t.not_explorable;
    }
    if (u.skip.empty()) {
      u.setup = fixture_commands(t.fixtures_required, true);
      u.cleanup = fixture_commands(t.fixtures_required, false);
    }
    if (!u.skip.empty() || !how.each_test_case) {
      units.push_back(std::move(u));
      continue;
    }
    const framework f = how.forced.value_or(detect_framework(t.argv[0]));
    if (f == framework::none) {
      log << fmt::format(
          "explore: test \"{}\": not a Catch2 or GoogleTest program; explored as "
          "a whole\n",
          t.name);
      units.push_back(std::move(u));
      continue;
    }
    std::vector<test_case> cases;
    try {
      cases = list_test_cases(f, t.argv, t.cwd, t.env);
    } catch (const std::exception& e) {
      u.error = e.what();
      units.push_back(std::move(u));
      continue;
    }
    log << fmt::format("explore: test \"{}\": {} {} test cases\n", t.name, cases.size(),
                       framework_name(f));
    for (const test_case& c : cases) {
      unit cu = u;
      cu.test_case = c.name;
      cu.cmd.argv = case_argv(f, t.argv, c.name);
      if (c.disabled)
        cu.skip = "disabled (GoogleTest runs DISABLED_ tests only when asked)";
      units.push_back(std::move(cu));
    }
  }
  return units;
}

int explore_units(const std::vector<unit>& units, const options& base, std::ostream& log) {
  const std::string work_parent =
      base.work_parent.empty() ? fs::temp_directory_path().string() : base.work_parent;
  const scoped_temp_dir work_area(work_parent, "failpoint-suite-");
  const std::string& work = work_area.path();

  // Each unit's directory under --out; two names that map to the same one get -2, -3...
  // (--html gets the same layout: DIR/<test>/<case>/index.html.)
  std::set<std::string> taken;
  std::vector<std::string> dirs, relative;
  for (const unit& u : units) {
    fs::path d;
    if (!u.test.empty())
      d /= directory_name(u.test);
    if (!u.test_case.empty())
      d /= directory_name(u.test_case);
    std::string rel = d.string();
    for (int n = 2; taken.count(rel) != 0; ++n)
      rel = fmt::format("{}-{}", d.string(), n);
    taken.insert(rel);
    relative.push_back(rel);
    dirs.push_back((fs::path(base.out_dir) / rel).string());
  }

  std::vector<unit_result> results(units.size());
  bool stop = false;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const unit& u = units[i];
    unit_result& res = results[i];
    res.out = dirs[i];
    log << fmt::format("=== [{}/{}] {}\n", i + 1, units.size(), unit_label(u));
    auto finish = [&](const char* status, const std::string& why) {
      res.status = status;
      res.note = why;
      log << fmt::format("explore: {} {}: {}\n", unit_label(u), status, why);
    };
    auto skipped = [&](const std::string& why) { finish("skipped", why); };
    auto failed = [&](const std::string& why) { finish("error", why); };
    if (stop) {
      skipped("not explored (--fail-fast stopped at an earlier failure)");
      continue;
    }
    if (!u.error.empty()) {
      failed(u.error);
      continue;
    }
    if (!u.skip.empty()) {
      skipped(u.skip);
      continue;
    }
    for (const command& s : u.setup) {
      const std::string why = run_fixture(s, work);
      if (!why.empty()) {
        failed(why);
        break;
      }
    }
    if (!res.status.empty())
      continue;
    auto run_cleanup = [&] {
      for (const command& c : u.cleanup) {
        const std::string why = run_fixture(c, work);
        if (!why.empty())
          log << fmt::format("explore: {}: {}\n", unit_label(u), why);
      }
    };
    // One run without faults first: a test that reaches no failpoint is skipped, not refused,
    // and SKIP_RETURN_CODE is honoured.
    run_result first;
    try {
      first = run_schedule(u.cmd, {}, base.timeout.value_or(unit_baseline_timeout), work);
    } catch (const std::exception& e) {
      failed(e.what());
      run_cleanup();
      continue;
    }
    if (first.kind != outcome::pass) {
      if (u.skip_return_code && first.kind == outcome::fail &&
          first.exit_code == *u.skip_return_code) {
        skipped(fmt::format("its command returned SKIP_RETURN_CODE {}", first.exit_code));
      } else {
        failed(
            fmt::format("does not pass without faults ({}, exit code {}, signal "
                        "{}); its stderr ends with:\n{}",
                        outcome_name(first.kind), first.exit_code, first.signal,
                        tail_lines(first.stderr_tail)));
      }
      run_cleanup();
      continue;
    }
    if (!reached_a_failpoint(first)) {
      skipped("reaches no failpoint (nothing to explore)");
      run_cleanup();
      continue;
    }
    options o = base;
    o.cmd = u.cmd;
    o.out_dir = dirs[i];
    fs::create_directories(o.out_dir);
    o.report_file = o.out_dir + "/report.json";
    if (!base.html_dir.empty())
      o.html_dir = (fs::path(base.html_dir) / relative[i]).string();
    if (u.one_at_a_time) {
      o.jobs = 1;
      log << fmt::format("explore: {}: runs one at a time ({})\n", unit_label(u),
                         u.locks.empty()
                             ? std::string("RUN_SERIAL")
                             : fmt::format("RESOURCE_LOCK {}", fmt::join(u.locks, ",")));
    }
    int rc = exit_usage;
    try {
      rc = explore(o, log);
    } catch (const std::exception& e) {
      log << "failpoint-explore: " << e.what() << "\n";
    }
    run_cleanup();
    json report;
    if (std::ifstream in(o.report_file); in) {
      try {
        report = json::parse(in);
      } catch (const json::exception&) {
      }
    }
    if (rc == exit_usage || report.is_null()) {
      res.status = "error";
      res.note = "the exploration was refused (see its log above)";
      continue;
    }
    res.report = o.report_file;
    res.runs = report.at("runs").size();
    for (const json& f : report.at("failures"))
      res.failures.push_back(f);
    // With --new-only, failures an earlier report knew do not make the exploration fail.
    res.status = rc == exit_failures    ? "failures"
                 : res.failures.empty() ? "no failure"
                                        : "known failures";
    if (!res.failures.empty() && base.fail_fast)
      stop = true;
  }

  // Summary across units.
  std::size_t explored = 0, with_failures = 0, skipped = 0, errors = 0, failures = 0;
  log << fmt::format("explore: summary of {} {}\n", units.size(),
                     units.size() == 1 ? "test" : "tests");
  log << fmt::format("  {:<12} {:>6} {:>9}  {}\n", "result", "runs", "failures", "test");
  for (std::size_t i = 0; i < units.size(); ++i) {
    const unit_result& r = results[i];
    const bool ran =
        r.status == "failures" || r.status == "no failure" || r.status == "known failures";
    explored += ran ? 1 : 0;
    with_failures += r.status == "failures" ? 1 : 0;
    skipped += r.status == "skipped" ? 1 : 0;
    errors += r.status == "error" ? 1 : 0;
    failures += r.status == "failures" ? r.failures.size() : 0;
    log << fmt::format("  {:<12} {:>6} {:>9}  {}{}\n", r.status, ran ? std::to_string(r.runs) : "-",
                       ran ? std::to_string(r.failures.size()) : "-", unit_label(units[i]),
                       ran ? "" : fmt::format(" ({})", r.note.substr(0, r.note.find('\n'))));
  }
  log << fmt::format(
      "explore: {} explored ({} with failures, {} failures in all), {} skipped, {} errors\n",
      explored, with_failures, failures, skipped, errors);
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (results[i].status == "failures")
      log << fmt::format("explore: {}: counterexamples in {}\n", unit_label(units[i]),
                         results[i].out);
  }

  if (!base.report_file.empty()) {
    json report = {{"format", "failpoint-explore suite report"},
                   {"version", file_version},
                   {"units", json::array()}};
    for (std::size_t i = 0; i < units.size(); ++i) {
      const unit_result& r = results[i];
      report["units"].push_back({{"test", units[i].test},
                                 {"case", units[i].test_case},
                                 {"command", units[i].cmd.argv},
                                 {"status", r.status},
                                 {"note", r.note},
                                 {"out", r.out},
                                 {"report", r.report.empty() ? json(nullptr) : json(r.report)},
                                 {"runs", r.runs},
                                 {"failures", r.failures}});
    }
    report["summary"] = {{"explored", explored},
                         {"with_failures", with_failures},
                         {"failures", failures},
                         {"skipped", skipped},
                         {"errors", errors}};
    std::ofstream(base.report_file) << report.dump(2) << "\n";
  }
  if (failures > 0)
    return exit_failures;
  if (errors > 0)
    return exit_usage;
  if (explored == 0) {
    log << "failpoint-explore: nothing was explored (every selected test was skipped, see above)\n";
    return exit_usage;
  }
  return exit_no_failure;
}

}  // namespace explorer
}  // namespace failpoint
