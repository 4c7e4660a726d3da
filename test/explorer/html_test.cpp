// The HTML report's data and the `html` subcommand (explorer/html_report.hpp), without a browser:
// the parent each run records, the JSON embedded in the page, the same page from --html and from
// `failpoint-explore html`, counterexamples found next to the report, and refused input. The page
// in a browser: test/browser/report_test.mjs (ctest browser:explore-report).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "explorer/html_report.hpp"
#include "test/explorer/support.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace explorer_test;

const std::string planted = PLANTED;

// The JSON a page embeds, parsed back.
json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const std::size_t start = page.find(open);
  REQUIRE(start != std::string::npos);
  const std::size_t end = page.find("</script>", start);
  REQUIRE(end != std::string::npos);
  return json::parse(page.substr(start + open.size(), end - start - open.size()));
}

failpoint_test::child_result html(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FAILPOINT_EXPLORE, "html"};
  argv.insert(argv.end(), args.begin(), args.end());
  return failpoint_test::run_program(argv, {}, std::chrono::seconds(60));
}

}  // namespace

TEST_CASE("each run of the report names the schedule it extends", "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "2", "--reproduce", "0"}, {planted, "combo"});
  REQUIRE(e.report.at("runs").size() == 8);
  int pairs = 0;
  for (const json& r : e.report.at("runs")) {
    INFO(r.dump());
    if (r.at("schedule").size() == 1) {
      CHECK(r.at("parent").is_null());
      continue;
    }
    ++pairs;
    // planted.B is reached only after planted.A: every pair extends a planted.A schedule.
    const json a = r.at("schedule")[0];
    CHECK(a.at("failpoint") == "planted.A");
    CHECK(r.at("parent") == spec("planted.A=1*" + a.at("fault").get<std::string>() + "->off"));
  }
  CHECK(pairs == 4);
}

TEST_CASE("the report's JSON cannot end the page's script element", "[explorer][html]") {
  const json value = {{"name", "</script><script>alert('x')</script><!-- & -->"},
                      {"tail", std::string("cut \xE2\x82", 6)}};
  const std::string text = failpoint::explorer::script_json(value);
  CHECK(text.find('<') == std::string::npos);
  CHECK(text.find('>') == std::string::npos);
  CHECK(text.find('&') == std::string::npos);
  const json back = json::parse(text);
  CHECK(back.at("name") == value.at("name"));
  CHECK(back.at("tail") == "cut \xEF\xBF\xBD");  // the cut character became U+FFFD

  const std::string_view page = failpoint::explorer::report_page_template();
  const std::size_t marker = page.find(failpoint::explorer::report_data_marker);
  REQUIRE(marker != std::string_view::npos);
  CHECK(page.find(failpoint::explorer::report_data_marker, marker + 1) == std::string_view::npos);
}

TEST_CASE(
    "the page of --html is the html subcommand's, with the report and its "
    "counterexamples",
    "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "1", "--reproduce", "1", "--html", dir + "/html"},
                                {planted, "single"});
  REQUIRE(e.result.status == 1);
  CHECK_THAT(e.result.out, Catch::Contains("explore: HTML report: " + dir + "/html/index.html"));
  const std::string page = failpoint_test::read_file(dir + "/html/index.html");
  const json data = page_data(page);
  CHECK(data.at("report") == e.report);
  REQUIRE(data.at("counterexamples").size() == 1);
  CHECK(data.at("counterexamples")[0].at("found") == true);
  CHECK(data.at("counterexamples")[0].at("data") ==
        json::parse(std::ifstream(e.counterexamples.at(0))));

  const auto r = html({dir + "/report.json", "--out", dir + "/again"});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == dir + "/again/index.html\n");
  CHECK(failpoint_test::read_file(dir + "/again/index.html") == page);
}

TEST_CASE("html finds counterexamples next to the report and says which are missing",
          "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  const exploration e = explore(dir, {"--depth", "1", "--reproduce", "0"}, {planted, "single"});
  REQUIRE(e.counterexamples.size() == 1);
  // A report moved with its counterexamples, which it names relative to itself.
  json report = e.report;
  report["failures"][0]["counterexample"] = "moved/failure-1.json";
  fs::create_directories(dir + "/elsewhere/moved");
  fs::copy_file(e.counterexamples[0], dir + "/elsewhere/moved/failure-1.json");
  std::ofstream(dir + "/elsewhere/report.json") << report.dump();
  const auto found = html({dir + "/elsewhere/report.json", "--out", dir + "/found"});
  INFO(found.out << found.err);
  CHECK(found.status == 0);
  CHECK(found.err.empty());
  const json data = page_data(failpoint_test::read_file(dir + "/found/index.html"));
  CHECK(data.at("counterexamples")[0].at("found") == true);

  fs::remove(dir + "/elsewhere/moved/failure-1.json");
  const auto missing = html({dir + "/elsewhere/report.json", "--out", dir + "/missing"});
  CHECK(missing.status == 0);
  CHECK_THAT(missing.err,
             Catch::Contains("counterexample moved/failure-1.json (not found): its failure is "
                             "shown without reproducer and output"));
  const json without = page_data(failpoint_test::read_file(dir + "/missing/index.html"));
  CHECK(without.at("counterexamples")[0].at("found") == false);
  CHECK(without.at("report").at("failures").size() == 1);
}

TEST_CASE("html refuses a missing, malformed, foreign or other-version report",
          "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  struct bad {
    std::string content;  // empty: no file
    std::string message;
  };
  const bad cases[] = {
      {"", "cannot read the report \"" + dir + "/report.json\": No such file or directory"},
      {"{\"format\": ", "\"" + dir + "/report.json\" is not JSON: "},
      {R"({"format": "failpoint-explore counterexample", "version": 1})",
       "\"" + dir + "/report.json\" is not a failpoint-explore report"},
      {R"({"format": "failpoint-explore report", "version": 99, "runs": [], "failures": []})",
       "\"" + dir + "/report.json\" has version 99; this failpoint-explore reads version 1"},
      {R"({"format": "failpoint-explore report", "version": 1, "failures": []})",
       "\"" + dir + "/report.json\" has no \"runs\" array"},
  };
  for (const bad& b : cases) {
    fs::remove(dir + "/report.json");
    if (!b.content.empty())
      std::ofstream(dir + "/report.json") << b.content;
    const auto r = html({dir + "/report.json", "--out", dir + "/html"});
    INFO(b.content << ": " << r.err);
    CHECK(r.exited);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::StartsWith("failpoint-explore html: ") && Catch::Contains(b.message));
    CHECK_FALSE(fs::exists(dir + "/html/index.html"));
  }
  const auto no_out = html({dir + "/report.json"});
  CHECK(no_out.status == 2);
  CHECK_THAT(no_out.err, Catch::Contains("--out is required"));
}

TEST_CASE("an --html directory that cannot be made is refused before exploring",
          "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  std::ofstream(dir + "/file") << "not a directory";
  const exploration e = explore(dir, {"--html", dir + "/file/html"}, {planted, "single"});
  CHECK(e.result.status == 2);
  CHECK_THAT(e.result.err, Catch::Contains("--html \"" + dir + "/file/html\": cannot create it"));
  CHECK_FALSE(fs::exists(dir + "/report.json"));
}

TEST_CASE("output that is not UTF-8 still gives counterexamples, a report and a page",
          "[explorer][html]") {
  const std::string dir = failpoint_test::temp_dir();
  // The planted failure, then bytes that are no UTF-8 on stderr.
  const exploration e = explore(
      dir, {"--depth", "1", "--reproduce", "0", "--html", dir + "/html"},
      {"/bin/sh", "-c", planted + " single || { printf 'error \\377\\376\\n' >&2; exit 1; }"});
  INFO(e.result.out << e.result.err);
  CHECK(e.result.status == 1);
  REQUIRE(e.counterexamples.size() == 1);
  const json c = json::parse(std::ifstream(e.counterexamples[0]));
  CHECK_THAT(c.at("stderr_tail").get<std::string>(),
             Catch::EndsWith("error \xEF\xBF\xBD\xEF\xBF\xBD\n"));
  CHECK(e.report.at("failures").size() == 1);
  const json data = page_data(failpoint_test::read_file(dir + "/html/index.html"));
  CHECK(data.at("counterexamples")[0].at("data") == c);
}
