// rewriter/render.hpp: turning the blocks scan() found into code. `enable` rewrites a file in
// place, `generate` writes a copy for an out-of-tree build; both write each block's code on the
// block's own lines, so no line of the file moves.
//
// For `// failpoint: var N T` with one body line `// return N;` the two lines become
//
//   <ws>if (auto failpoint_hit_ = FAILPOINT_VALUE("<prefix>N", T)) { T N = *failpoint_hit_;
//       (void)N; //@failpoint // failpoint: var N T                     (one line, wrapped here)
//   <ws>return N; } //@failpoint // return N;
//
// Without a type the header is `if (FAILPOINT("<prefix>N")) {`, without a body the block is one
// line ending in ` }` (or `{}`), and a label line becomes `LABEL:;`. In a C file (the C macros of
// failpoint/failpoint.h, which failpoint.hpp includes from C) the header with a type is
// `{ T N; if (FAILPOINT_VALUE("<prefix>N", T, &N)) {` and the last body line ends in ` } }`.
//
// The include of the site macros: `enable` puts it on the first blank or `//`-only line at file
// scope before any code and before the first failpoint (outside preprocessor conditionals),
// keeping that line's text behind `//@failpoint-include:`; only a file without such a line gets
// the include and `#line 1` as two new first lines. `generate` starts the copy with the include
// and `#line 1 "<original path>"`.
#ifndef FAILPOINT_REWRITER_RENDER_HPP
#define FAILPOINT_REWRITER_RENDER_HPP

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewriter/diagnostic.hpp"
#include "rewriter/scan.hpp"

namespace failpoint {
namespace rewrite {

class line_table;

// What enable, disable and generate give back.
struct rewrite_result {
  bool ok = true;        // false: `diagnostics` says why and `text` is meaningless
  bool changed = false;  // the output differs from the input
  std::string text;
  std::vector<diagnostic> diagnostics;  // errors when !ok; otherwise warnings and their notes
};

// In-place form: rewrites every block and adds the include once. Enabling an enabled file
// changes nothing; a file with enabled lines that disable could not restore is refused.
rewrite_result enable(std::string_view path, const std::string& text, const options& opts);

// Out-of-tree form: the include (only when there are failpoints), `#line 1 "<original_path>"`,
// then the rewritten text (a UTF-8 BOM stays first). Always produces a text.
rewrite_result generate(std::string_view original_path, const std::string& text,
                        const options& opts);

// The pieces disable() uses to check its work.

// The enabled code of each line of a block, without the indentation.
std::vector<std::string> render_code(const block& b, const options& opts);
// One enabled line: indentation, code, the marker, the original comment.
std::string render_line(std::string_view indent, std::string_view code,
                        std::string_view original_comment);
// The enabled line of a block's line `original` (indentation + comment) whose code is `code`.
std::string render_block_line(std::string_view original, std::string_view code);
// Replaces lines of `text` (1-based line -> new content); the line ends are kept.
std::string replace_lines(std::string_view text, const line_table& lines,
                          const std::map<unsigned, std::string>& replacements);

// The in-place include written on a line whose text was `original`, and back.
std::string include_here_line(std::string_view original);
// The original text of an in-place include line; nullopt when `content` is not one.
std::optional<std::string_view> parse_include_here_line(std::string_view content);
// Whether a line, by its text alone, may take the in-place include: blank, or a whole-line `//`
// comment that is no marker and does not end in a backslash (which would splice the next line
// into the include's comment). disable refuses an in-place include that kept any other text.
bool can_hold_include(std::string_view content);
// Whether lines 1 and 2 are the include and `#line 1` of the form that adds two lines.
bool has_include_lines(const line_table& lines);
// The line enable puts the include on: the first blank or `//`-only line before any code and
// before `limit_line`, at file scope outside preprocessor conditionals; nullopt when none.
std::optional<unsigned> include_line_for(const std::string& text, const line_table& lines,
                                         bool c_language, unsigned limit_line);

rewrite_result failure(std::vector<diagnostic> diagnostics);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_RENDER_HPP
