// explorer/suite.hpp: exploring several tests in one invocation: the tests of a ctest build tree
// (`failpoint-explore ctest`), the cases of a Catch2 or GoogleTest binary (`--each-test-case`),
// or both. Each one is explored by explore() with its own command and output directory; a summary
// across them ends the log (docs/explorer.md, "ctest mode" and "Each test case on its own").
#ifndef FAILPOINT_EXPLORER_SUITE_HPP
#define FAILPOINT_EXPLORER_SUITE_HPP

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "explorer/ctest.hpp"
#include "explorer/explore.hpp"
#include "explorer/test_cases.hpp"

namespace failpoint {
namespace explorer {

// One thing to explore: a ctest test, a test case of a binary, or a case of a ctest test.
struct unit {
  std::string test;       // the ctest test's name; empty outside ctest mode
  std::string test_case;  // the case's name; empty when the whole command is explored
  command cmd;
  bool one_at_a_time = false;      // RUN_SERIAL or RESOURCE_LOCK: its runs never overlap
  std::vector<std::string> locks;  // RESOURCE_LOCK, for the log
  std::optional<int> skip_return_code;
  std::vector<command> setup, cleanup;  // fixture tests run once around the exploration
  std::string skip;                     // why it is not explored; empty: it is
  std::string error;  // why it cannot be explored (e.g. its cases cannot be listed)
};

// How the units are chosen.
struct suite_options {
  bool each_test_case = false;
  std::optional<framework> forced;  // --framework; otherwise detected from the binary
};

// The units of one command: the command itself, or with `each_test_case` each of its cases.
// Throws std::runtime_error when the cases cannot be listed.
std::vector<unit> command_units(const command& cmd, const suite_options& how, std::ostream& log);

// The units of ctest tests (in ctest's order): disabled, WILL_FAIL, fixture setup and cleanup
// tests and tests the explorer cannot judge are kept with the reason they are skipped.
std::vector<unit> ctest_units(const std::vector<ctest_test>& tests, std::uint64_t seed,
                              const suite_options& how, std::ostream& log);

// Explores each unit one after another with `base` (its out_dir and report_file are the parents
// of each unit's own: OUT/<test>/<case>/, and the report FILE groups the units' reports).
// A unit that reaches no failpoint is skipped with a note. Returns exit_failures when any unit
// found a failure, else exit_usage when a unit's baseline failed or nothing was explored, else
// exit_no_failure.
int explore_units(const std::vector<unit>& units, const options& base, std::ostream& log);

// The directory name a test or case name gets under --out: characters other than letters,
// digits, `.`, `_` and `-` become `_`.
std::string directory_name(const std::string& name);

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_SUITE_HPP
