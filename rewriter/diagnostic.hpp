// rewriter/diagnostic.hpp: the one shape of every message the rewriter prints, in the
// compiler's format: `file:line:col: error: message`, the source line, a caret under the column.
#ifndef FAILPOINT_REWRITER_DIAGNOSTIC_HPP
#define FAILPOINT_REWRITER_DIAGNOSTIC_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace failpoint {
namespace rewrite {

class line_table;

// error: the file is not rewritten. warning: the file is rewritten as usual (unless warnings are
// errors), the text most likely does not say what its author meant. note: explains the message
// before it.
enum class severity { error, warning, note };

// One message. Lines and columns are 1-based; columns count bytes.
struct diagnostic {
  severity level = severity::error;
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
  std::string source_line;  // the line's text without its end of line; empty: no caret is shown
};

// The one way to build a diagnostic: at byte `offset` of the text `lines` was built over.
diagnostic diagnostic_at(severity level, std::string_view file, const line_table& lines,
                         std::size_t offset, std::string message);
// The same at a line and column.
diagnostic diagnostic_at(severity level, std::string_view file, const line_table& lines,
                         unsigned line, unsigned column, std::string message);

// Formats a diagnostic: `file:line:col: error: message`, then the source line and a caret.
std::string format(const diagnostic& d);

// Whether any diagnostic is an error.
bool has_error(const std::vector<diagnostic>& diagnostics);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_DIAGNOSTIC_HPP
