// failpoint/testing.hpp: test isolation for any test framework: every test starts with the
// failpoints as the program started (FAILPOINTS, usually: all off), and a test that leaves a
// failpoint on is named.
//
// failpoint/catch2.hpp and failpoint/gtest.hpp wire this into Catch2 v2 and GoogleTest; with
// another framework, take a baseline once before the first test and call restore() after each:
//   static failpoint::testing::baseline start;                 // before the first test
//   for (const std::string& leak : start.restore()) report_failure(leak);   // after each test
//
// Header-only over failpoint/control.hpp (link failpoint::runtime).
#ifndef FAILPOINT_TESTING_HPP
#define FAILPOINT_TESTING_HPP

#include <map>
#include <string>
#include <vector>

#include "failpoint/control.hpp"

namespace failpoint {
namespace testing {

// The failpoints that were on when it was taken, with their terms. Not thread-safe: use it from
// the thread that runs the tests. Each call lists the registry (cost: one lock and a copy of
// every failpoint's state).
class baseline {
 public:
  // Takes the baseline now (the terms FAILPOINTS set at startup, or whatever is on).
  baseline() {
    for (const failpoint_info& fp : list()) {
      if (fp.active)
        terms_[fp.name] = fp.terms;
    }
  }

  // Puts every failpoint back as it was when the baseline was taken: disables them all, then
  // enables the baseline's terms again (their counts restart). Terms kept for names no loaded
  // code has registered yet (FAILPOINTS naming a library dlopen()ed later) are dropped too. Returns
  // one message per failpoint that was left on with terms that can still run and that the baseline
  // did not have (a fault that would leak into the next test), e.g.
  //   failpoint "store.SaveFails" was left enabled with "return(true)"; disabled it
  std::vector<std::string> restore() const {
    std::vector<std::string> leaks;
    for (const failpoint_info& fp : list()) {
      const auto it = terms_.find(fp.name);
      if (fp.active && (it == terms_.end() || it->second != fp.terms)) {
        leaks.push_back("failpoint \"" + fp.name + "\" was left enabled with \"" + fp.terms +
                        "\"; " +
                        (it == terms_.end() ? "disabled it" : "restored \"" + it->second + "\""));
      }
    }
    disable_all();
    for (const auto& [name, terms] : terms_) {
      try {
        enable(name, terms);
      } catch (const std::exception& e) {
        leaks.push_back("failpoint \"" + name + "\": cannot restore \"" + terms +
                        "\": " + e.what());
      }
    }
    return leaks;
  }

  // The baseline: name -> terms of every failpoint that was on.
  const std::map<std::string, std::string>& terms() const noexcept { return terms_; }

 private:
  std::map<std::string, std::string> terms_;
};

}  // namespace testing
}  // namespace failpoint

#endif  // FAILPOINT_TESTING_HPP
