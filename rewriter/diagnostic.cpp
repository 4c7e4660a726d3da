// rewriter/diagnostic.cpp: building and formatting diagnostics (see diagnostic.hpp).
#include "rewriter/diagnostic.hpp"

#include <algorithm>

#include "rewriter/source.hpp"

namespace failpoint {
namespace rewrite {

diagnostic diagnostic_at(severity level, std::string_view file, const line_table& lines,
                         unsigned line, unsigned column, std::string message) {
  diagnostic d;
  d.level = level;
  d.file = std::string(file);
  d.line = line;
  d.column = column;
  d.message = std::move(message);
  d.source_line = std::string(lines.content(line));
  return d;
}

diagnostic diagnostic_at(severity level, std::string_view file, const line_table& lines,
                         std::size_t offset, std::string message) {
  return diagnostic_at(level, file, lines, lines.line_of(offset), lines.column_of(offset),
                       std::move(message));
}

namespace {
const char* label(severity level) {
  switch (level) {
    case severity::error:
      return "error: ";
    case severity::warning:
      return "warning: ";
    case severity::note:
      return "note: ";
  }
  return "";
}
}  // namespace

std::string format(const diagnostic& d) {
  std::string out = d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " +
                    label(d.level) + d.message + "\n";
  if (!d.source_line.empty()) {
    out += d.source_line;
    out += '\n';
    const std::size_t col = std::min<std::size_t>(d.column - 1, d.source_line.size());
    for (std::size_t i = 0; i < col; ++i)
      out += d.source_line[i] == '\t' ? '\t' : ' ';
    out += "^\n";
  }
  return out;
}

bool has_error(const std::vector<diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const diagnostic& d) { return d.level == severity::error; });
}

}  // namespace rewrite
}  // namespace failpoint
