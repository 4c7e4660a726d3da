// failpoint/gtest.hpp: failpoint's GoogleTest integration. Including this header (from any number
// of the test program's files; gtest_main is fine) appends an event listener that
//   - after each test, disables every failpoint and fails the test, at its TEST line, for each
//     failpoint it left enabled (one leaking fault never changes the next test:
//     failpoint/testing.hpp says what "left enabled" is);
//   - makes a failpoint::scoped guard that required its fault (failpoint::expect_fired) and saw
//     none fail the running test at the guard's line, as ADD_FAILURE_AT would, and go on.
//
// Example:
//   #include <gtest/gtest.h>
//   #include <failpoint/gtest.hpp>
//   TEST(Store, FailedSaveIsReported) {
//     failpoint::scoped fault("store.SaveFails", "1*return(true)", failpoint::expect_fired);
//     EXPECT_FALSE(store.save("a"));
//   }   // fails here if save() never reached the failpoint
//
// GoogleTest 1.12 (Debian's libgtest-dev); link GTest::gtest (or gtest_main) and
// failpoint::runtime. Guards may be destroyed on any thread (GoogleTest's assertions are
// thread-safe on Linux).
#ifndef FAILPOINT_GTEST_HPP
#define FAILPOINT_GTEST_HPP

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "failpoint/control.hpp"
#include "failpoint/testing.hpp"

namespace failpoint {
namespace gtest {

// The listener this header appends. Failures added in OnTestEnd count for the test that just
// ended: GoogleTest calls OnTestEnd before it detaches the test, and calls it on listeners in
// reverse order, so this one (appended after the result printer) runs before the printer.
class listener : public ::testing::EmptyTestEventListener {
 public:
  void OnTestProgramStart(const ::testing::UnitTest&) override {
    baseline_.emplace();
    previous_ = set_unfired_handler([](const fault_not_fired& missed) {
      ADD_FAILURE_AT(missed.file(), missed.line()) << missed.reason();
    });
  }

  void OnTestEnd(const ::testing::TestInfo& test) override {
    for (const std::string& leak : baseline_->restore())
      ADD_FAILURE_AT(test.file(), test.line()) << leak;
  }

  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    set_unfired_handler(std::move(previous_));
  }

 private:
  std::optional<testing::baseline> baseline_;
  unfired_handler previous_;
};

// Appends the listener once, at program start, however many files include this header (an
// inline variable is one object). GoogleTest owns and deletes it.
inline const bool registration = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new listener);
  return true;
}();

}  // namespace gtest
}  // namespace failpoint

#endif  // FAILPOINT_GTEST_HPP
