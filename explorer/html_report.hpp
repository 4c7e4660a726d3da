// explorer/html_report.hpp: an exploration's report as one self-contained HTML page (the summary,
// the tree of schedules, outcomes, filters, each failure's reproducer and counterexample), for
// `--html DIR` and `failpoint-explore html REPORT --out DIR`. Described in docs/explorer.md,
// "HTML report"; the page itself is explorer/report/page.html, compiled in.
#ifndef FAILPOINT_EXPLORER_HTML_REPORT_HPP
#define FAILPOINT_EXPLORER_HTML_REPORT_HPP

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace failpoint {
namespace explorer {

// Reads a report file (what --report writes) and checks its format and version, and that it has
// the runs and failures the page shows. Throws std::runtime_error naming the file and what is
// wrong with it.
nlohmann::json read_report(const std::string& file);

// The page for `report`: the template with the report, and the counterexample file each failure
// names, embedded as JSON. A relative counterexample path is looked up from the current directory,
// then from `report_dir` (where the report file is); the paths not found go to `missing` (the
// page says so for those failures).
std::string html_page(const nlohmann::json& report, const std::string& report_dir,
                      std::vector<std::string>& missing);

// Writes html_page() to `dir`/index.html, creating `dir`; returns the file's path. Throws
// std::runtime_error when it cannot be written.
std::string write_html_report(const nlohmann::json& report, const std::string& dir,
                              const std::string& report_dir, std::vector<std::string>& missing);

// JSON text that is safe inside a <script> element: `<`, `>` and `&` are written as \u escapes
// (so no `</script>` or `<!--` can end or change the element), and bytes that are not UTF-8 (a
// tail cut inside a character) become U+FFFD.
std::string script_json(const nlohmann::json& value);

// The page's template (explorer/report/page.html, compiled in): `report_data_marker` stands where
// the data goes.
std::string_view report_page_template() noexcept;
inline constexpr std::string_view report_data_marker = "FAILPOINT_REPORT_DATA";

}  // namespace explorer
}  // namespace failpoint

#endif  // FAILPOINT_EXPLORER_HTML_REPORT_HPP
