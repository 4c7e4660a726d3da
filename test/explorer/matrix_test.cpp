// Fault matrices (explorer/matrix.hpp): parsing, the product's order, the pairwise covering
// array, walk schedules and ids.
#include "explorer/matrix.hpp"

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

namespace {

using namespace failpoint::explorer;

// Every pair (failpoint f term a, failpoint g term b) that `walks` miss.
std::size_t uncovered_pairs(const matrix& m, const std::vector<walk>& walks) {
  std::set<std::tuple<std::size_t, std::size_t, std::size_t, std::size_t>> seen;
  for (const walk& w : walks)
    for (std::size_t f = 0; f < m.size(); ++f)
      for (std::size_t g = f + 1; g < m.size(); ++g)
        seen.insert({f, w[f], g, w[g]});
  std::size_t missing = 0;
  for (std::size_t f = 0; f < m.size(); ++f)
    for (std::size_t g = f + 1; g < m.size(); ++g)
      for (std::size_t a = 0; a < m[f].second.size(); ++a)
        for (std::size_t b = 0; b < m[g].second.size(); ++b)
          missing += seen.count({f, a, g, b}) == 0 ? 1 : 0;
  return missing;
}

}  // namespace

TEST_CASE("a matrix parses per failpoint, with commas inside terms", "[explorer][matrix]") {
  const matrix m = parse_matrix("a=off,return(1); b = off, sleep(10) ,panic;c=return(\"x,y;z\")");
  REQUIRE(m.size() == 3);
  CHECK(m[0] == std::pair<std::string, std::vector<std::string>>{"a", {"off", "return(1)"}});
  CHECK(m[1].second == std::vector<std::string>{"off", "sleep(10)", "panic"});
  CHECK(m[2].second == std::vector<std::string>{"return(\"x,y;z\")"});
  CHECK(product_size(m) == 6);
}

TEST_CASE("a malformed matrix is refused with the entry at fault", "[explorer][matrix]") {
  CHECK_THROWS_WITH(parse_matrix("a"), Catch::Contains("--matrix entry \"a\""));
  CHECK_THROWS_WITH(parse_matrix("a=off;a=panic"), Catch::Contains("\"a\" is listed twice"));
  CHECK_THROWS_WITH(parse_matrix("a=off,,panic"), Catch::Contains("an empty term"));
  CHECK_THROWS_WITH(parse_matrix("a=off,off"), Catch::Contains("\"off\" is listed twice"));
  CHECK_THROWS_WITH(parse_matrix("a=2*panic"), Catch::Contains("--matrix entry \"a\""));
  CHECK_THROWS_WITH(parse_matrix(";"), Catch::Contains("no failpoint"));
}

TEST_CASE("the product's walks come in mixed-radix order", "[explorer][matrix]") {
  const matrix m = parse_matrix("a=off,return(1);b=off,sleep(10),panic");
  const std::vector<walk> walks = product_walks(m, 100);
  CHECK(walks == std::vector<walk>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}});
  CHECK_THROWS_WITH(product_walks(m, 5), Catch::Contains("6 walks, more than 5"));
}

TEST_CASE("pairwise walks cover every pair in far fewer walks than the product",
          "[explorer][matrix]") {
  matrix m;
  for (int f = 0; f < 10; ++f)
    m.push_back({"f" + std::to_string(f), {"off", "return(0)", "return(-1)", "panic"}});
  const std::vector<walk> walks = pairwise_walks(m);
  CHECK(uncovered_pairs(m, walks) == 0);
  CHECK(product_size(m) == 1048576);
  // At least 16 walks are needed (4 x 4 pairs of two failpoints); the greedy construction makes
  // 28 (a covering array with randomised search gets near 20).
  CHECK(walks.size() >= 16);
  CHECK(walks.size() <= 40);
  CHECK(pairwise_walks(m) == walks);  // deterministic

  // Uneven sizes, and two failpoints (where pairwise is the product).
  const matrix uneven = parse_matrix(
      "a=off,panic;b=off,return(1),return(2),return(3),return(4);"
      "c=off,panic,sleep(1);d=off,return(1),return(2)");
  CHECK(uncovered_pairs(uneven, pairwise_walks(uneven)) == 0);
  CHECK(pairwise_walks(uneven).size() < product_size(uneven));
  const matrix two = parse_matrix("a=off,panic;b=off,return(1),return(2)");
  CHECK(pairwise_walks(two).size() == 6);
  CHECK(uncovered_pairs(two, pairwise_walks(two)) == 0);
}

TEST_CASE("a walk's schedule leaves `off` out and its id depends only on its faults",
          "[explorer][matrix]") {
  const matrix m = parse_matrix("b=off,panic;a=return(1),off");
  const schedule s = walk_schedule(m, {1, 0});
  REQUIRE(s.size() == 2);
  CHECK(s[0].name == "a");  // canonical order
  CHECK(s[0].hit == 1);
  CHECK(s[0].mode == fault_mode::from);
  CHECK(walk_schedule(m, {0, 1}).empty());
  // The same faults from another matrix (other order, another failpoint left off): same id.
  const matrix other = parse_matrix("a=off,return(1);c=off,panic;b=panic");
  CHECK(walk_id(walk_schedule(other, {1, 0, 0})) == walk_id(s));
  CHECK(walk_id(walk_schedule(m, {0, 0})) != walk_id(s));
  CHECK(walk_id(s).size() == 8);
}
