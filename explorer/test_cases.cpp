// explorer/test_cases.cpp: listing and running one test case of a Catch2 or GoogleTest binary
// (test_cases.hpp).
#include "explorer/test_cases.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string resolve(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos)
    return argv0;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / argv0;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return argv0;
}

std::string trim_right(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
    s.pop_back();
  return s;
}

// Catch2 v2's options that take a value: the word after them is not a test spec.
bool catch2_takes_value(const std::string& arg) {
  static const char* const with_value[] = {"-o",
                                           "--out",
                                           "-r",
                                           "--reporter",
                                           "-n",
                                           "--name",
                                           "-x",
                                           "--abortx",
                                           "-w",
                                           "--warn",
                                           "-d",
                                           "--durations",
                                           "-D",
                                           "--min-duration",
                                           "-f",
                                           "--input-file",
                                           "-c",
                                           "--section",
                                           "-v",
                                           "--verbosity",
                                           "--order",
                                           "--rng-seed",
                                           "--use-colour",
                                           "--wait-for-keypress",
                                           "--benchmark-samples",
                                           "--benchmark-resamples",
                                           "--benchmark-confidence-interval",
                                           "--benchmark-warmup-time"};
  return std::any_of(std::begin(with_value), std::end(with_value),
                     [&](const char* o) { return arg == o; });
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

}  // namespace

const char* framework_name(framework f) {
  switch (f) {
    case framework::catch2:
      return "Catch2";
    case framework::gtest:
      return "GoogleTest";
    case framework::none:
      break;
  }
  return "none";
}

framework detect_framework(const std::string& argv0) {
  const std::string bytes = read_file(resolve(argv0));
  // A GoogleTest program holds its flag's help text (static libgtest) or references the
  // library's testing:: symbols (shared libgtest).
  if (bytes.find("gtest_list_tests") != std::string::npos ||
      bytes.find("_ZN7testing8internal") != std::string::npos)
    return framework::gtest;
  if (bytes.find("list-test-names-only") != std::string::npos)
    return framework::catch2;
  return framework::none;
}

std::vector<test_case> parse_gtest_list(const std::string& text) {
  std::vector<test_case> out;
  std::istringstream in(text);
  std::string suite;
  for (std::string line; std::getline(in, line);) {
    const auto hash = line.find("  #");
    line = trim_right(hash == std::string::npos ? line : line.substr(0, hash));
    if (line.empty())
      continue;
    if (line[0] != ' ') {
      suite = line.back() == '.' ? line : std::string();
      continue;
    }
    if (suite.empty() || !starts_with(line, "  ") || line[2] == ' ')
      continue;
    test_case c;
    c.name = suite + line.substr(2);
    // GoogleTest skips a DISABLED_ suite or test unless asked to run them.
    const auto slash = suite.find('/');
    const std::string suite_name = slash == std::string::npos ? suite : suite.substr(slash + 1);
    c.disabled = starts_with(line.substr(2), "DISABLED_") || starts_with(suite, "DISABLED_") ||
                 starts_with(suite_name, "DISABLED_");
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<test_case> parse_catch2_list(const std::string& text) {
  std::vector<test_case> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = trim_right(line);
    if (!line.empty())
      out.push_back({line, false});
  }
  return out;
}

std::string catch2_spec(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::strchr("\\,[]\"*~", c) != nullptr)
      out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> case_argv(framework f, const std::vector<std::string>& argv,
                                   const std::string& name) {
  std::vector<std::string> out;
  if (argv.empty())
    return out;
  out.push_back(argv[0]);
  if (f == framework::gtest) {
    for (std::size_t i = 1; i < argv.size(); ++i) {
      if (!starts_with(argv[i], "--gtest_filter=") && !starts_with(argv[i], "-gtest_filter="))
        out.push_back(argv[i]);
    }
    out.push_back("--gtest_filter=" + name);
    return out;
  }
  // Catch2: keep the options (and their values), drop the test specs.
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 1 && a[0] == '-') {
      out.push_back(a);
      if (catch2_takes_value(a) && i + 1 < argv.size())
        out.push_back(argv[++i]);
    }
  }
  out.push_back(catch2_spec(name));
  return out;
}

std::vector<test_case> list_test_cases(framework f, const std::vector<std::string>& argv,
                                       const std::string& cwd,
                                       const std::map<std::string, std::string>& env) {
  if (f == framework::none || argv.empty())
    return {};
  std::vector<std::string> list = argv;
  list.push_back(f == framework::gtest ? "--gtest_list_tests" : "--list-test-names-only");
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!starts_with(name, "FAILPOINTS") && env.count(name) == 0)
      environment.push_back(entry);
  }
  for (const auto& [name, value] : env)
    environment.push_back(name + "=" + value);
  const scoped_temp_dir scratch(fs::temp_directory_path().string(), "failpoint-explore-list-");
  const std::string& tmp = scratch.path();
  const process_result p = run_process(list, cwd, environment, tmp + "/stdout", tmp + "/stderr",
                                       std::chrono::seconds(60));
  const std::string out = read_file(tmp + "/stdout");
  // Catch2 v2 exits with the number of tests it listed; GoogleTest with 0.
  if (!p.exited || (f == framework::gtest && p.code != 0))
    throw std::runtime_error(fmt::format("listing the {} cases of \"{}\" ({}) failed ({} {}): {}",
                                         framework_name(f), argv[0], list.back(),
                                         p.timed_out ? "timed out"
                                         : p.exited  ? "exit status"
                                                     : "signal",
                                         p.code, read_file(tmp + "/stderr")));
  return f == framework::gtest ? parse_gtest_list(out) : parse_catch2_list(out);
}

}  // namespace explorer
}  // namespace failpoint
