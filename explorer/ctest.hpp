// explorer/ctest.hpp: the tests of a CMake build tree, as `ctest --show-only=json-v1` describes
// them, turned into commands failpoint-explore can run (docs/explorer.md, "ctest mode").
#ifndef FAILPOINT_EXPLORER_CTEST_HPP
#define FAILPOINT_EXPLORER_CTEST_HPP

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace failpoint {
namespace explorer {

// One ctest test and the properties that decide how, and whether, it can be explored.
struct ctest_test {
  std::string name;
  std::vector<std::string> argv;            // empty: ctest has no command (executable not found)
  std::string cwd;                          // WORKING_DIRECTORY (ctest's default: the test's dir)
  std::map<std::string, std::string> env;   // ENVIRONMENT, then ENVIRONMENT_MODIFICATION
  bool disabled = false;                    // DISABLED
  bool will_fail = false;                   // WILL_FAIL
  bool run_serial = false;                  // RUN_SERIAL
  std::vector<std::string> resource_locks;  // RESOURCE_LOCK
  std::optional<int> skip_return_code;      // SKIP_RETURN_CODE
  std::vector<std::string> fixtures_required;  // FIXTURES_REQUIRED
  std::vector<std::string> fixtures_setup;     // FIXTURES_SETUP
  std::vector<std::string> fixtures_cleanup;   // FIXTURES_CLEANUP
  std::string not_explorable;  // why the explorer cannot judge its runs; empty when it can
};

// What to ask ctest.
struct ctest_query {
  std::string ctest = "ctest";  // the ctest executable (looked up in PATH)
  std::string test_dir;         // --test-dir; must hold a CTestTestfile.cmake
  std::string include_regex;    // -R; empty: every test
  std::string exclude_regex;    // -E; empty: none
  std::string build_config;     // -C, for multi-config generators; empty: none
};

// Runs `ctest --show-only=json-v1` and parses its answer. Throws std::runtime_error naming the
// directory, the ctest command or the field that was wrong.
std::vector<ctest_test> list_ctest_tests(const ctest_query& query);

// Parses ctest's json-v1 document (`base_env` is the environment ENVIRONMENT_MODIFICATION
// starts from). Throws std::runtime_error on a document of another kind or version.
std::vector<ctest_test> parse_ctest_json(const std::string& text,
                                         const std::map<std::string, std::string>& base_env);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_CTEST_HPP
