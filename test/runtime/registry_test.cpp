// The registry: sites register at startup from every translation unit, headers and templates
// share one failpoint per name, and shared libraries loaded later pick up pending settings.
#include <dlfcn.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"
#include "failpoint/failpoint.hpp"

#include "shared_sites.hpp"

namespace {
int this_tu_two_sites() {
  if (auto fp = FAILPOINT_VALUE("registry.two_tus", int))
    return *fp;
  return 0;
}
int this_tu_header_value() {
  return shared_header_value();
}
// A site outside a function body: the default member initializer of a class, through the lambda
// the README shows (a site is a statement expression, allowed only in a function body).
struct member_site {
  bool fired = [] { return static_cast<bool>(FAILPOINT("registry.member_initializer")); }();
};
}  // namespace

TEST_CASE("every site is listed at startup, before any is hit", "[registry]") {
  auto all = failpoint::list();
  std::vector<std::string> names;
  for (auto& info : all)
    names.push_back(info.name);
  CHECK(std::is_sorted(names.begin(), names.end()));
  for (const char* expected : {"registry.header", "registry.two_tus", "registry.template"}) {
    INFO(expected);
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
}

TEST_CASE("an inline function in a header is one site however many TUs include it", "[registry]") {
  auto s = failpoint::status("registry.header");
  REQUIRE(s);
  REQUIRE(s->sites.size() == 1);
  CHECK_THAT(s->sites[0].file, Catch::EndsWith("shared_sites.hpp"));
  CHECK(s->sites[0].line == 9);
  failpoint::enable("registry.header", "return(3)");
  CHECK(this_tu_header_value() == 3);
  CHECK(other_tu_header_value() == 3);
  CHECK(failpoint::status("registry.header")->count == 2);
}

static int this_tu_inlined_value() {
  return inlined_value() + inlined_value();
}

TEST_CASE("a site inlined into several callers is one site", "[registry]") {
  auto s = failpoint::status("registry.inlined");
  REQUIRE(s);
  CHECK(s->sites.size() == 1);
  failpoint::enable("registry.inlined", "return(4)");
  CHECK(this_tu_inlined_value() == 8);
  CHECK(other_tu_inlined_value() == 4);
  CHECK(failpoint::status("registry.inlined")->count == 3);
  failpoint::disable("registry.inlined");
}

TEST_CASE("a site in code the compiler drops is not listed", "[registry]") {
  CHECK_FALSE(failpoint::status("registry.never_called"));
}

TEST_CASE("sites with one name in several TUs are one failpoint", "[registry]") {
  auto s = failpoint::status("registry.two_tus");
  REQUIRE(s);
  CHECK(s->sites.size() == 2);
  failpoint::enable("registry.two_tus", "2*return(9)");
  CHECK(this_tu_two_sites() == 9);
  CHECK(other_tu_two_sites() == 9);
  CHECK(this_tu_two_sites() == 0);
  CHECK(other_tu_two_sites() == 0);
}

TEST_CASE("each template instantiation is a site of the same failpoint", "[registry]") {
  CHECK(templated_value<int>() == 0);
  auto s = failpoint::status("registry.template");
  REQUIRE(s);
  CHECK(s->sites.size() == 2);  // templated_value<int> here, <long> in the other TU
  failpoint::enable("registry.template", "return(12)");
  CHECK(templated_value<int>() == 12);
  CHECK(other_tu_template_value() == 12L);
}

TEST_CASE("a site in a default member initializer is listed and fires", "[registry]") {
  auto s = failpoint::status("registry.member_initializer");
  REQUIRE(s);
  CHECK(s->sites.size() == 1);
  CHECK_FALSE(member_site{}.fired);
  failpoint::enable("registry.member_initializer", "1*return");
  CHECK(member_site{}.fired);
  CHECK_FALSE(member_site{}.fired);
  failpoint::disable("registry.member_initializer");
}

TEST_CASE("closest_names suggests near misses, best first", "[registry]") {
  auto near = failpoint::closest_names("registry.headr");
  REQUIRE_FALSE(near.empty());
  CHECK(near.front() == "registry.header");
  CHECK(failpoint::closest_names("zzzzzzzzzzzzzzzzzzzzzzzzzzzz").empty());
}

TEST_CASE("a setting kept for an unknown name applies when a library registers it", "[registry]") {
  CHECK_THROWS_AS(failpoint::apply("plugin.value=return(5)"), failpoint::unknown_failpoint);
  failpoint::apply("plugin.value=return(5)", /*keep_unknown=*/true);
  CHECK_FALSE(failpoint::status("plugin.value"));
  void* lib = dlopen(FAILPOINT_TEST_PLUGIN, RTLD_NOW);
  REQUIRE(lib != nullptr);
  auto fn = reinterpret_cast<int (*)()>(dlsym(lib, "failpoint_test_plugin_value"));
  REQUIRE(fn != nullptr);
  CHECK(fn() == 5);
  auto s = failpoint::status("plugin.value");
  REQUIRE(s);
  CHECK(s->terms == "return(5)");
  CHECK(s->count == 1);
}
