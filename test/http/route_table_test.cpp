// test/http/route_table_test.cpp: the route table (http-control/router.cpp's routes()) is the one
// description of the control API: README.md lists the same routes, the router dispatches from it,
// and what derives from it (405 `Allow`, which answers a panic waits for) follows it.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "failpoint/control.hpp"

#include "router.hpp"
#include "sites.hpp"
#include "util.hpp"

namespace {

using failpoint::http_internal::resource;
using failpoint::http_internal::route_spec;
using failpoint::http_internal::routes;

// "METHOD /path" of every route in the table.
std::set<std::string> table_routes() {
  std::set<std::string> out;
  for (const route_spec& r : routes())
    out.insert(std::string(r.method) + " " + std::string(r.path));
  return out;
}

// "METHOD /path" of every row of README.md's "### Routes" table: the first code span of each row,
// without a query string. Rows naming several requests ("`PUT /NAME`, body = terms") give the
// first.
std::set<std::string> readme_routes() {
  std::ifstream in(FAILPOINT_README);
  REQUIRE(in);
  std::set<std::string> out;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) {
      in_section = line == "### Routes";
      continue;
    }
    if (!in_section || line.rfind("| `", 0) != 0)
      continue;
    const auto end = line.find('`', 3);
    REQUIRE(end != std::string::npos);
    std::string request = line.substr(3, end - 3);
    request = request.substr(0, request.find('?'));
    out.insert(request);
  }
  return out;
}

// A path that names `what`, on a registered failpoint.
std::string example_path(resource what) {
  switch (what) {
    case resource::list:
      return "/";
    case resource::batch:
      return "/failpoints";
    case resource::name:
      return "/http.plain";
    case resource::count:
      return "/http.plain/count";
    case resource::wait:
      return "/http.plain/wait?count=0";
  }
  return {};
}

}  // namespace

TEST_CASE("README's Routes table lists exactly the routes of the router's table",
          "[http][routes]") {
  const auto readme = readme_routes();
  CHECK(readme.size() >= 8);  // the section was found
  CHECK(readme == table_routes());
}

TEST_CASE("every route of the table is served and other methods get 405 with the table's Allow",
          "[http][routes]") {
  sites::plain();
  fpt::endpoint ep;
  std::map<resource, std::string> allowed;
  for (const route_spec& r : routes()) {
    std::string& allow = allowed[r.names];
    allow += (allow.empty() ? "" : ", ") + std::string(r.method);
  }
  for (const auto& [what, allow] : allowed) {
    const std::string path = example_path(what);
    INFO(path);
    const auto res = fpt::call(ep.address, "PATCH", path);
    CHECK(res.status == 405);
    CHECK(res.header("Allow") == allow);
  }
  for (const route_spec& r : routes()) {
    const std::string path = example_path(r.names);
    INFO(r.method << " " << path);
    const std::string body = r.names == resource::batch ? "http.plain=off" : "off";
    const auto res = fpt::call(ep.address, std::string(r.method), path, body);
    CHECK(res.error.empty());
    CHECK(res.status != 405);
    CHECK(res.status < 500);
  }
}

TEST_CASE("the answers a panic waits for are those of the table's changing methods",
          "[http][routes]") {
  using failpoint::http_internal::may_change;
  std::set<std::string> changing;
  for (const route_spec& r : routes()) {
    if (r.changes)
      changing.insert(std::string(r.method));
  }
  CHECK(changing == std::set<std::string>{"PUT", "DELETE"});
  for (const char* method : {"GET", "PUT", "DELETE", "HEAD", "POST", "PATCH", "put", ""}) {
    INFO(method);
    CHECK(may_change(method) == (changing.count(method) == 1));
  }
}

TEST_CASE("route() applies a change before it returns whatever the text of the terms",
          "[http][routes]") {
  using failpoint::http_internal::control_request;
  using failpoint::http_internal::route;
  sites::value();
  for (const std::string terms : {"return(1)", "1*return(2)->panic", "50%break", "pause"}) {
    INFO(terms);
    control_request put;
    put.method = "PUT";
    put.target = "/http.value";
    put.body = terms;
    const auto reply = route(put, "");
    CHECK(reply.status == 204);
    CHECK(failpoint::status("http.value")->terms == terms);
    failpoint::disable_all();
  }
}
