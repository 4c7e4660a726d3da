// explorer/ctest.cpp: reading a build tree's tests from ctest (ctest.hpp).
#include "explorer/ctest.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "explorer/process.hpp"

extern char** environ;

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<std::string> string_list(const json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const json& v : value)
      out.push_back(v.get<std::string>());
  } else if (value.is_string()) {
    out.push_back(value.get<std::string>());
  }
  return out;
}

bool truthy(const json& value) {
  if (value.is_boolean())
    return value.get<bool>();
  if (value.is_string()) {
    // CMake's false constants; anything else is true.
    std::string s = value.get<std::string>();
    for (char& c : s)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return !(s.empty() || s == "0" || s == "OFF" || s == "NO" || s == "FALSE" || s == "N" ||
             s == "IGNORE" || s == "NOTFOUND" ||
             (s.size() >= 9 && s.compare(s.size() - 9, 9, "-NOTFOUND") == 0));
  }
  if (value.is_number())
    return value.get<double>() != 0;
  return false;
}

// One ENVIRONMENT_MODIFICATION entry, `NAME=OP:VALUE`, applied to `env` (what the test sees),
// `base` being the value of NAME before any modification. Returns a reason when the entry cannot
// be expressed as a set of variables (unset).
std::string modify(const std::string& entry, std::map<std::string, std::string>& env,
                   const std::map<std::string, std::string>& base) {
  const auto eq = entry.find('=');
  const auto colon = entry.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || colon == std::string::npos)
    return fmt::format("ENVIRONMENT_MODIFICATION \"{}\" is not NAME=OP:VALUE", entry);
  const std::string name = entry.substr(0, eq);
  const std::string op = entry.substr(eq + 1, colon - eq - 1);
  const std::string value = entry.substr(colon + 1);
  auto current = [&]() -> std::optional<std::string> {
    if (auto it = env.find(name); it != env.end())
      return it->second;
    if (auto it = base.find(name); it != base.end())
      return it->second;
    return std::nullopt;
  };
  auto join = [&](const std::string& sep, bool append) {
    const std::optional<std::string> old = current();
    if (!old || old->empty())
      env[name] = value;
    else
      env[name] = append ? *old + sep + value : value + sep + *old;
  };
  if (op == "set") {
    env[name] = value;
  } else if (op == "reset") {
    if (auto it = base.find(name); it != base.end())
      env[name] = it->second;
    else
      env.erase(name);
  } else if (op == "string_append" || op == "string_prepend") {
    const std::string old = current().value_or("");
    env[name] = op == "string_append" ? old + value : value + old;
  } else if (op == "path_list_append" || op == "path_list_prepend") {
    join(":", op == "path_list_append");
  } else if (op == "cmake_list_append" || op == "cmake_list_prepend") {
    join(";", op == "cmake_list_append");
  } else if (op == "unset") {
    return fmt::format("ENVIRONMENT_MODIFICATION unsets {} (the explorer can only set variables)",
                       name);
  } else {
    return fmt::format("ENVIRONMENT_MODIFICATION \"{}\": unknown operation \"{}\"", entry, op);
  }
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<ctest_test> parse_ctest_json(const std::string& text,
                                         const std::map<std::string, std::string>& base_env) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(
        fmt::format("ctest's --show-only=json-v1 output is not JSON: {}", e.what()));
  }
  if (doc.value("kind", "") != "ctestInfo" || !doc.contains("version") ||
      doc["version"].value("major", 0) != 1 || !doc.contains("tests") || !doc["tests"].is_array())
    throw std::runtime_error(
        "ctest's --show-only=json-v1 output is not a ctestInfo document of version 1");
  std::vector<ctest_test> tests;
  for (const json& t : doc["tests"]) {
    ctest_test test;
    test.name = t.at("name").get<std::string>();
    if (t.contains("command"))
      test.argv = string_list(t["command"]);
    std::map<std::string, std::string> env;
    std::vector<std::string> modifications;
    bool pass_regex = false;
    for (const json& p : t.value("properties", json::array())) {
      const std::string name = p.at("name").get<std::string>();
      const json& value = p.contains("value") ? p["value"] : json();
      if (name == "WORKING_DIRECTORY") {
        test.cwd = value.get<std::string>();
      } else if (name == "ENVIRONMENT") {
        for (const std::string& e : string_list(value)) {
          const auto eq = e.find('=');
          if (eq == std::string::npos || eq == 0)
            continue;  // ctest ignores such entries too
          env[e.substr(0, eq)] = e.substr(eq + 1);
        }
      } else if (name == "ENVIRONMENT_MODIFICATION") {
        modifications = string_list(value);
      } else if (name == "DISABLED") {
        test.disabled = truthy(value);
      } else if (name == "WILL_FAIL") {
        test.will_fail = truthy(value);
      } else if (name == "RUN_SERIAL") {
        test.run_serial = truthy(value);
      } else if (name == "RESOURCE_LOCK") {
        test.resource_locks = string_list(value);
      } else if (name == "SKIP_RETURN_CODE") {
        test.skip_return_code =
            value.is_number() ? value.get<int>() : std::atoi(value.get<std::string>().c_str());
      } else if (name == "PASS_REGULAR_EXPRESSION") {
        pass_regex = !string_list(value).empty();
      } else if (name == "FIXTURES_REQUIRED") {
        test.fixtures_required = string_list(value);
      } else if (name == "FIXTURES_SETUP") {
        test.fixtures_setup = string_list(value);
      } else if (name == "FIXTURES_CLEANUP") {
        test.fixtures_cleanup = string_list(value);
      }
    }
    // ENVIRONMENT applies first, then the modifications; `reset` goes back to ENVIRONMENT's
    // value, else to the value in ctest's own environment.
    std::map<std::string, std::string> reset_base = base_env;
    for (const auto& [name, value] : env)
      reset_base[name] = value;
    for (const std::string& m : modifications) {
      std::string why = modify(m, env, reset_base);
      if (!why.empty() && test.not_explorable.empty())
        test.not_explorable = why;
    }
    test.env = std::move(env);
    for (const char* owned : {"FAILPOINTS", "FAILPOINTS_TRACE", "FAILPOINTS_SEED"}) {
      if (test.env.count(owned) != 0 && test.not_explorable.empty())
        test.not_explorable =
            fmt::format("its ENVIRONMENT sets {} (a fixed schedule, not a test to explore)", owned);
    }
    if (pass_regex && test.not_explorable.empty())
      test.not_explorable =
          "PASS_REGULAR_EXPRESSION decides whether it passes; the explorer judges a run by its "
          "exit status";
    tests.push_back(std::move(test));
  }
  return tests;
}

std::vector<ctest_test> list_ctest_tests(const ctest_query& query) {
  const fs::path dir =
      fs::absolute(query.test_dir.empty() ? fs::current_path() : fs::path(query.test_dir));
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format("--test-dir \"{}\": no such directory", dir.string()));
  if (!fs::exists(dir / "CTestTestfile.cmake", ec))
    throw std::runtime_error(fmt::format(
        "--test-dir \"{}\" has no CTestTestfile.cmake: not a CMake build directory with tests "
        "(enable_testing() and add_test())",
        dir.string()));
  std::vector<std::string> argv = {query.ctest, "--show-only=json-v1"};
  if (!query.include_regex.empty())
    argv.insert(argv.end(), {"-R", query.include_regex});
  if (!query.exclude_regex.empty())
    argv.insert(argv.end(), {"-E", query.exclude_regex});
  if (!query.build_config.empty())
    argv.insert(argv.end(), {"-C", query.build_config});

  const scoped_temp_dir scratch(fs::temp_directory_path().string(), "failpoint-explore-ctest-");
  const std::string& tmp = scratch.path();
  std::vector<std::string> env;
  std::map<std::string, std::string> base_env;
  for (char** e = environ; *e != nullptr; ++e) {
    env.emplace_back(*e);
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos)
      base_env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  process_result p;
  try {
    p = run_process(argv, dir.string(), env, tmp + "/stdout", tmp + "/stderr",
                    std::chrono::seconds(120));
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("cannot run \"{}\" (is CMake installed?): {}", query.ctest, e.what()));
  }
  const std::string out = read_file(tmp + "/stdout");
  const std::string err = read_file(tmp + "/stderr");
  if (!p.exited || p.code != 0)
    throw std::runtime_error(fmt::format("\"{} --show-only=json-v1\" in \"{}\" failed ({} {}){}{}",
                                         query.ctest, dir.string(),
                                         p.timed_out ? "timed out"
                                         : p.exited  ? "exit status"
                                                     : "signal",
                                         p.code, err.empty() ? "" : ":\n", err));
  std::vector<ctest_test> tests = parse_ctest_json(out, base_env);
  for (ctest_test& t : tests) {
    if (t.cwd.empty())
      t.cwd = dir.string();
  }
  return tests;
}

}  // namespace explorer
}  // namespace failpoint
