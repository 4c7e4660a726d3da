// test/frameworks/gtest_example.cpp: failpoint's GoogleTest integration at work (README,
// "Catch2 and GoogleTest"). The enabled tests pass; the DISABLED_ ones fail on purpose and are
// run by frameworks_test.cpp, which checks what GoogleTest reports.
#include <gtest/gtest.h>

#include <failpoint/gtest.hpp>

#include "store.hpp"

TEST(Store, FailedSaveIsReported) {
  example::store db;
  failpoint::scoped fault("example.SaveFails", "1*return(true)", failpoint::expect_fired);
  EXPECT_FALSE(db.save("a", "1"));
  EXPECT_TRUE(db.save("a", "2"));
}

// Fails: it enables a failpoint and never disables it.
TEST(Leak, DISABLED_LeavesFailpointEnabled) {
  failpoint::enable("example.SaveFails", "return(true)");
  example::store db;
  EXPECT_FALSE(db.save("a", "1"));
}

// Passes after the one above: the listener disabled the leaked failpoint.
TEST(Leak, DISABLED_NextTestFindsItDisabled) {
  example::store db;
  EXPECT_TRUE(db.save("a", "1"));
  EXPECT_FALSE(failpoint::status("example.SaveFails")->active);
}

// Fails: the code under test never reaches the failpoint.
TEST(Unfired, DISABLED_RequiredFaultNeverFires) {
  example::store db;
  failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired);
  EXPECT_TRUE(db.save("a", "1"));
}
