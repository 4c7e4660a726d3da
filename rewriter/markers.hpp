// rewriter/markers.hpp: the fixed spellings the rewriter reads and writes. Every piece of the
// rewriter that recognises or produces one of these uses the constant here, so that `enable`,
// `disable` and `generate` can never disagree on a spelling.
#ifndef FAILPOINT_REWRITER_MARKERS_HPP
#define FAILPOINT_REWRITER_MARKERS_HPP

#include <string_view>

namespace failpoint {
namespace rewrite {

// The keyword that opens a failpoint header: `// failpoint: ...`.
inline constexpr std::string_view header_keyword = "failpoint:";

// Ends every enabled line of a block; the original comment follows it byte for byte.
inline constexpr std::string_view marker = "//@failpoint ";
// What every marker comment starts with (the line marker and both include markers).
inline constexpr std::string_view marker_stem = "//@failpoint";

// The include every rewritten file needs: the site macros.
inline constexpr std::string_view site_include = "#include <failpoint/failpoint.hpp>";

// In-place include on an existing line: the include, this marker, then the line's original
// text (after one blank when that text is not empty). No line moves.
inline constexpr std::string_view include_here_marker = "//@failpoint-include:";

// In-place include when the file has no line to put it on: this line, then `#line 1`, added at
// the top of the file (after a UTF-8 byte order mark).
inline constexpr std::string_view include_marker = "//@failpoint-include";
inline constexpr std::string_view include_line =
    "#include <failpoint/failpoint.hpp> //@failpoint-include";
inline constexpr std::string_view line_directive = "#line 1";
static_assert(include_line.substr(0, site_include.size()) == site_include &&
                  include_line[site_include.size()] == ' ' &&
                  include_line.substr(site_include.size() + 1) == include_marker,
              "the fallback include line is the include and its marker");

// The variable that holds a FAILPOINT_VALUE hit; a failpoint may not be named so.
inline constexpr std::string_view hit_variable = "failpoint_hit_";

// A UTF-8 byte order mark: it stays first, and line 1 starts after it.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_MARKERS_HPP
