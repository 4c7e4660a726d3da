// test/explorer/cases_catch2.cpp: a Catch2 program explored case by case (suite_test.cpp,
// --each-test-case). One case has a planted bug; one has a name with the characters a Catch2
// test spec treats specially; one reaches no failpoint; a hidden one is never listed.
#include <catch2/catch.hpp>

#include "failpoint/failpoint.hpp"

namespace {

// Saves two records through cases.Save (bool: the save failed); `retry` retries a failed save,
// otherwise the second record is lost (the bug).
int saved(bool retry) {
  int n = 0;
  for (int record = 1; record <= 2; ++record) {
    bool failed = false;
    if (auto fp = FAILPOINT_VALUE("cases.Save", bool))
      failed = *fp;
    if (failed && !retry && record == 2)
      continue;
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("a save that is not retried", "[cases]") {
  CHECK(saved(false) == 2);
}

TEST_CASE("saves, then [loads] a \"record\"", "[cases]") {
  CHECK(saved(true) == 2);
  // A failed load is retried: a fault here is harmless.
  if (auto fp = FAILPOINT_VALUE("cases.Load", bool))
    CHECK((*fp || !*fp));
}

TEST_CASE("reaches no failpoint", "[cases]") {
  CHECK(1 + 1 == 2);
}

TEST_CASE("hidden, never listed", "[.]") {
  CHECK(saved(false) == 2);
}
