// failpoint/catch2.hpp: failpoint's Catch2 v2 integration. Including this header (from any
// number of the test program's files) registers a listener that
//   - after each run of a test case (each SECTION path), disables every failpoint and fails the
//     test case, at its TEST_CASE line, for each failpoint it left enabled (one leaking fault
//     never changes the next test: failpoint/testing.hpp says what "left enabled" is);
//   - makes a failpoint::scoped guard that required its fault (failpoint::expect_fired) and saw
//     none fail the running test at the guard's line, as FAIL_CHECK would, and go on.
//
// Example:
//   #include <failpoint/catch2.hpp>   // first: it includes <catch2/catch.hpp>
//   TEST_CASE("a failed save is reported") {
//     failpoint::scoped fault("store.SaveFails", "1*return(true)", failpoint::expect_fired);
//     CHECK_FALSE(store.save("a"));
//   }   // fails here if save() never reached the failpoint
//
// Catch2 v2 (catch2/catch.hpp, Debian's catch2 2.13); link failpoint::runtime. Include this
// header before <catch2/catch.hpp>, or define CATCH_CONFIG_EXTERNAL_INTERFACES before it: Catch2
// declares its listener base only then. Catch2 assertions are not thread-safe: destroy
// expect_fired guards on the test's thread.
#ifndef FAILPOINT_CATCH2_HPP
#define FAILPOINT_CATCH2_HPP

#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && \
    !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#error \
    "include <failpoint/catch2.hpp> before <catch2/catch.hpp>, or define CATCH_CONFIG_EXTERNAL_INTERFACES before it"
#endif
#ifndef CATCH_CONFIG_EXTERNAL_INTERFACES
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <cstdio>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/testing.hpp"

namespace failpoint {
namespace catch2 {

// Records a failure of the running test case at `file:line` and lets the test go on (never
// throws, so it may run in a destructor or a listener).
inline void fail_at(const char* file, int line, const std::string& message) {
  Catch::AssertionHandler handler(Catch::StringRef("FAIL_CHECK"),
                                  Catch::SourceLineInfo(file, static_cast<std::size_t>(line)),
                                  Catch::StringRef(), Catch::ResultDisposition::ContinueOnFailure);
  handler.handleMessage(Catch::ResultWas::ExplicitFailure, message);
  handler.setCompleted();
}

// The listener this header registers. Created by Catch2 once per run.
class listener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
    baseline_.emplace();
    previous_ = set_unfired_handler([this](const fault_not_fired& missed) {
      if (in_test_) {
        fail_at(missed.file(), missed.line(), missed.reason());
      } else {
        std::fprintf(stderr, "failpoint: outside a test case: %s\n", missed.what());
      }
    });
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    set_unfired_handler(std::move(previous_));
    TestEventListenerBase::testRunEnded(stats);
  }

  void sectionStarting(const Catch::SectionInfo& info) override {
    TestEventListenerBase::sectionStarting(info);
    if (depth_++ == 0)
      in_test_ = true;
  }

  // The outermost section is the test case's body: it has just run once.
  void sectionEnded(const Catch::SectionStats& stats) override {
    if (--depth_ == 0) {
      in_test_ = false;
      const Catch::SourceLineInfo& where = stats.sectionInfo.lineInfo;
      for (const std::string& leak : baseline_->restore())
        fail_at(where.file, static_cast<int>(where.line), leak);
    }
    TestEventListenerBase::sectionEnded(stats);
  }

 private:
  std::optional<testing::baseline> baseline_;
  unfired_handler previous_;
  int depth_ = 0;
  bool in_test_ = false;
};

// One registration however many files include this header (an inline variable is one object).
inline const Catch::ListenerRegistrar<listener> registration;

}  // namespace catch2
}  // namespace failpoint

#endif  // FAILPOINT_CATCH2_HPP
