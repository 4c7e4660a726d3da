// explorer/test_cases.hpp: the test cases of a Catch2 or GoogleTest binary, and the command that
// runs one of them alone (docs/explorer.md, "Each test case on its own").
#ifndef FAILPOINT_EXPLORER_TEST_CASES_HPP
#define FAILPOINT_EXPLORER_TEST_CASES_HPP

#include <map>
#include <string>
#include <vector>

namespace failpoint {
namespace explorer {

// The test framework a binary is built with.
enum class framework { none, catch2, gtest };
const char* framework_name(framework f);

// Recognizes the framework from the bytes of the executable `argv0` (looked up in PATH when it
// has no slash): GoogleTest's `gtest_list_tests` flag or its `testing::` symbols, else Catch2
// v2's `list-test-names-only` option. `none` for anything else (a script, another framework).
framework detect_framework(const std::string& argv0);

// One test case: its name as the framework spells it, and whether the framework leaves it out
// of a plain run (GoogleTest's DISABLED_ prefix).
struct test_case {
  std::string name;
  bool disabled = false;
};

// Lists the cases `argv` would run (the listing flag is appended, so filters already in `argv`
// apply), in `cwd` with `env` on top of the explorer's environment and no FAILPOINTS. Throws
// std::runtime_error when the listing cannot be run or read.
std::vector<test_case> list_test_cases(framework f, const std::vector<std::string>& argv,
                                       const std::string& cwd,
                                       const std::map<std::string, std::string>& env);

// The output of `--gtest_list_tests` as `Suite.Name` cases; comments (`# GetParam() = ...`)
// are dropped.
std::vector<test_case> parse_gtest_list(const std::string& text);

// The output of Catch2's `--list-test-names-only`, one name a line.
std::vector<test_case> parse_catch2_list(const std::string& text);

// A Catch2 test spec matching exactly the test named `name`: `\` before each character the spec
// parser treats specially (`\ , [ ] " * ~`).
std::string catch2_spec(const std::string& name);

// `argv` changed to run only `name`: GoogleTest gets `--gtest_filter=name` instead of any
// filter it had; Catch2 gets the spec instead of any test spec arguments it had.
std::vector<std::string> case_argv(framework f, const std::vector<std::string>& argv,
                                   const std::string& name);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_TEST_CASES_HPP
