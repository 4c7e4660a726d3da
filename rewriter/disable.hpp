// rewriter/disable.hpp: restoring the comments of an enabled file, in three steps:
//   collect  every marker comment gives back its line's original text;
//   rebuild  the candidate: those lines restored, the two added include lines (if any) removed;
//   verify   enabling the candidate must give back exactly the enabled lines of the file, and
//            every line of an enabled block must be enabled.
// Any difference is an error and nothing is restored, so after a successful disable, enable
// gives back the failpoint lines exactly as they were.
#ifndef FAILPOINT_REWRITER_DISABLE_HPP
#define FAILPOINT_REWRITER_DISABLE_HPP

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rewriter/diagnostic.hpp"
#include "rewriter/render.hpp"
#include "rewriter/scan.hpp"

namespace failpoint {
namespace rewrite {

class line_table;

// What the markers of an enabled text say.
struct collected_markers {
  std::map<unsigned, std::string> restored;  // enabled line -> its original text
  std::set<unsigned> include_here;           // lines holding the in-place include
  bool include_lines = false;                // lines 1 and 2 are the added include and #line
  std::vector<diagnostic> diagnostics;       // damaged markers
};
collected_markers collect_markers(std::string_view path, const std::string& text,
                                  const line_table& lines, const options& opts);

// The text with every collected line restored and the added include lines removed.
std::string rebuild(const std::string& text, const line_table& lines,
                    const collected_markers& markers);

// Checks a rebuilt candidate against the enabled text; the diagnostics name the enabled lines.
std::vector<diagnostic> verify(std::string_view path, const line_table& lines,
                               const collected_markers& markers, const std::string& candidate,
                               const options& opts);

// Restores the comments of an enabled text: collect, rebuild, verify.
rewrite_result disable(std::string_view path, const std::string& text, const options& opts);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_DISABLE_HPP
