// test/frameworks/catch2_example.cpp: failpoint's Catch2 integration at work (README, "Catch2 and
// GoogleTest"). The visible test cases pass; the hidden ones ([.leak], [.unfired], [.baseline])
// fail on purpose and are run by frameworks_test.cpp, which checks what Catch2 reports.
// <failpoint/catch2.hpp> includes Catch2 itself, with the declarations its listener needs.
#include <failpoint/catch2.hpp>

#include "store.hpp"

TEST_CASE("a failed save is reported", "[example]") {
  example::store db;
  failpoint::scoped fault("example.SaveFails", "1*return(true)", failpoint::expect_fired);
  CHECK_FALSE(db.save("a", "1"));
  CHECK(db.save("a", "2"));
}

TEST_CASE("the second save fails after one that goes through", "[example]") {
  example::store db;
  failpoint::scoped fault("example.SaveFails", "1*off->1*return(true)");
  fault.require_fired();
  CHECK(db.save("a", "1"));
  CHECK_FALSE(db.save("b", "2"));
}

TEST_CASE("each section path starts with every failpoint off", "[example]") {
  example::store db;
  SECTION("one path leaves nothing behind") {
    failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired);
    CHECK_FALSE(db.load("a"));
  }
  SECTION("another") {
    CHECK(db.save("a", "1"));
    CHECK(db.load("a") == "1");
  }
}

// Fails: it enables a failpoint and never disables it.
TEST_CASE("leaves a failpoint enabled", "[.leak]") {
  failpoint::enable("example.SaveFails", "return(true)");
  example::store db;
  CHECK_FALSE(db.save("a", "1"));
}

// Passes after the one above: the listener disabled the leaked failpoint.
TEST_CASE("the next test finds it disabled", "[.leak]") {
  example::store db;
  CHECK(db.save("a", "1"));
  CHECK_FALSE(failpoint::status("example.SaveFails")->active);
}

// Fails: the code under test never reaches the failpoint, so the fault it was written for
// never happens.
TEST_CASE("a required fault that never fires", "[.unfired]") {
  example::store db;
  failpoint::scoped fault("example.LoadFails", "return(true)", failpoint::expect_fired);
  CHECK(db.save("a", "1"));
}

// Fails: `2*off->return(true)` lets two loads through; the fault is the third.
TEST_CASE("a fault behind two offs that is reached only twice", "[.unfired]") {
  example::store db;
  failpoint::scoped fault("example.LoadFails", "2*off->return(true)", failpoint::expect_fired);
  CHECK_FALSE(db.load("a"));
  CHECK_FALSE(db.load("b"));
}

// Run with FAILPOINTS='example.LoadFails=return(true)': the baseline every test starts from.
TEST_CASE("a test that changes a failpoint FAILPOINTS set", "[.baseline]") {
  example::store db;
  CHECK_FALSE(db.load("a"));
  failpoint::disable("example.LoadFails");
  failpoint::enable("example.SaveFails", "return(false)");
}

TEST_CASE("the next test finds the FAILPOINTS terms again", "[.baseline]") {
  CHECK(failpoint::status("example.LoadFails")->terms == "return(true)");
  CHECK_FALSE(failpoint::status("example.SaveFails")->active);
}
