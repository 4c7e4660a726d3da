// rewriter/disable.cpp: collect, rebuild, verify (see disable.hpp).
#include "rewriter/disable.hpp"

#include <optional>
#include <utility>

#include <clang/Lex/Token.h>

#include "rewriter/markers.hpp"
#include "rewriter/source.hpp"

namespace failpoint {
namespace rewrite {

collected_markers collect_markers(std::string_view path, const std::string& text,
                                  const line_table& lines, const options& opts) {
  collected_markers out;
  out.include_lines = has_include_lines(lines);
  auto report = [&](unsigned line, std::size_t offset, std::string message) {
    out.diagnostics.push_back(diagnostic_at(severity::error, path, lines, line,
                                            static_cast<unsigned>(offset - lines.begin(line)) + 1,
                                            std::move(message)));
  };
  const char* base = text.data();
  lex(base, base + text.size(), opts.c_language,
      [&](const clang::Token& tok, const char* b, const char* e) {
        if (!tok.is(clang::tok::comment) || e - b < 2 || b[1] != '/')
          return;
        const std::size_t begin = static_cast<std::size_t>(b - base);
        const std::string_view t(b, static_cast<std::size_t>(e - b));
        const unsigned line = lines.line_of(begin);
        if (t.substr(0, include_here_marker.size()) == include_here_marker) {
          // `#include <failpoint/failpoint.hpp> //@failpoint-include: <original text>`
          const std::optional<std::string_view> original =
              parse_include_here_line(lines.content(line));
          if (!original || begin != lines.begin(line) + site_include.size() + 1 ||
              t.find_first_of("\r\n") != std::string_view::npos) {
            report(line, begin,
                   "malformed failpoint include line; expected '" + include_here_line("") +
                       " <original text>'");
            return;
          }
          if (!can_hold_include(*original)) {
            report(line, begin + include_here_marker.size() + 1,
                   "the in-place include keeps a text that is neither blank nor a '//' comment "
                   "line; enable never puts the include there, so the line was edited");
            return;
          }
          out.restored.emplace(line, std::string(*original));
          out.include_here.insert(line);
          return;
        }
        if (t.substr(0, include_marker.size()) == include_marker) {
          if (!(out.include_lines && line == 1))
            report(line, begin,
                   "the failpoint include line was edited or moved; expected '" +
                       std::string(include_line) + "' on line 1 followed by '#line 1'");
          return;
        }
        if (t.substr(0, marker.size()) != marker)
          return;
        // `<indentation><code> //@failpoint <original comment>`
        const std::string_view original = t.substr(marker.size());
        const std::string_view prefix =
            std::string_view(text).substr(lines.begin(line), begin - lines.begin(line));
        if (original.substr(0, 2) != "//" || prefix.empty() || prefix.back() != ' ' ||
            t.find_first_of("\r\n") != std::string_view::npos) {
          report(line, begin,
                 "malformed failpoint marker; expected '<code> //@failpoint //<original comment>'");
          return;
        }
        std::size_t n = 0;
        while (n + 1 < prefix.size() && is_hspace(prefix[n]))
          ++n;
        std::string line_text(prefix.substr(0, n));
        line_text.append(original);
        out.restored.emplace(line, std::move(line_text));
      });
  return out;
}

std::string rebuild(const std::string& text, const line_table& lines,
                    const collected_markers& markers) {
  std::string candidate = replace_lines(text, lines, markers.restored);
  if (markers.include_lines)  // lines 1 and 2 hold no marker, so their offsets are unchanged
    candidate.erase(lines.begin(1), lines.end(2) - lines.begin(1));
  return candidate;
}

std::vector<diagnostic> verify(std::string_view path, const line_table& lines,
                               const collected_markers& markers, const std::string& candidate,
                               const options& opts) {
  std::vector<diagnostic> diags;
  auto report = [&](severity level, unsigned line, unsigned column, std::string message) {
    diags.push_back(diagnostic_at(level, path, lines, line, column, std::move(message)));
  };
  const unsigned shift = markers.include_lines ? 2 : 0;
  const auto& restored = markers.restored;

  options again = opts;
  again.types = nullptr;
  again.warnings_as_errors = false;
  const scan_result s = scan(path, candidate, again);
  bool skipping = false;  // the candidate's warnings (and their notes) were given by enable
  for (diagnostic d : s.diagnostics) {
    if (d.level == severity::warning || (d.level == severity::note && skipping)) {
      skipping = true;
      continue;
    }
    skipping = false;
    d.line += shift;
    d.source_line = std::string(lines.content(d.line));
    diags.push_back(std::move(d));
  }
  const line_table candidate_lines(candidate);
  std::set<unsigned> verified;
  for (const block& b : s.blocks) {
    std::vector<unsigned> unmarked;
    bool any = false;
    for (unsigned l = b.first_line; l <= b.last_line; ++l) {
      if (restored.count(l + shift))
        any = true;
      else
        unmarked.push_back(l + shift);
    }
    if (!any)
      continue;
    for (unsigned l : unmarked) {
      report(severity::error, l, 1,
             "this line is inside an enabled failpoint block but is not enabled; the block "
             "was edited and cannot be restored exactly");
    }
    const std::vector<std::string> code = render_code(b, again);
    for (unsigned l = b.first_line; l <= b.last_line; ++l) {
      const unsigned el = l + shift;
      if (!restored.count(el))
        continue;
      const std::string expected =
          render_block_line(candidate_lines.content(l), code[l - b.first_line]);
      const std::string_view actual = lines.content(el);
      if (expected != actual) {
        std::size_t col = 0;
        while (col < actual.size() && col < expected.size() && actual[col] == expected[col])
          ++col;
        const unsigned column = static_cast<unsigned>(col) + 1;
        report(severity::error, el, column,
               "enabled failpoint line was edited and cannot be restored exactly");
        diagnostic note = diagnostic_at(
            severity::note, path, lines, el, column,
            "expected this line to read (with --prefix '" + opts.prefix + "'): " + expected);
        note.source_line.clear();
        diags.push_back(std::move(note));
      }
      verified.insert(el);
    }
  }
  for (const auto& [line, original] : restored) {
    if (verified.count(line) || markers.include_here.count(line))
      continue;
    const std::string_view t = trim_left(trim_left(original).substr(2));
    const bool header = t.substr(0, header_keyword.size()) == header_keyword;
    const std::size_t col = lines.content(line).find(marker);
    report(severity::error, line, static_cast<unsigned>(col) + 1,
           header ? "enabled failpoint header cannot be restored exactly"
                  : "failpoint body line before any header (its enabled header was removed or "
                    "edited)");
  }
  // A restored text that holds a marker again (one marker inside another's original text) was
  // never written by enable: enable refuses a text with a damaged marker, so it would refuse the
  // candidate, and a second disable would change it again.
  if (contains(candidate, marker_stem)) {
    const collected_markers nested = collect_markers(path, candidate, candidate_lines, again);
    std::set<unsigned> lines_with_markers;
    for (const auto& [line, original] : nested.restored)
      lines_with_markers.insert(line);
    for (const diagnostic& d : nested.diagnostics)
      lines_with_markers.insert(d.line);
    if (nested.include_lines)
      lines_with_markers.insert(1);
    for (unsigned l : lines_with_markers) {
      const unsigned el = l + shift;
      const std::string_view actual = lines.content(el);
      // Point at the inner marker, else at the only one on the line.
      std::size_t column = actual.find(marker_stem);
      if (column == std::string_view::npos) {
        column = 0;
      } else if (const std::size_t inner = actual.find(marker_stem, column + 1);
                 inner != std::string_view::npos) {
        column = inner;
      }
      report(severity::error, el, static_cast<unsigned>(column) + 1,
             "the original text this marker keeps holds a failpoint marker itself; the line was "
             "edited and cannot be restored exactly");
    }
  }
  return diags;
}

rewrite_result disable(std::string_view path, const std::string& text, const options& opts) {
  rewrite_result r;
  if (!contains(text, marker_stem)) {
    r.text = text;
    return r;
  }
  const line_table lines(text);
  collected_markers markers = collect_markers(path, text, lines, opts);
  if (!markers.diagnostics.empty())
    return failure(std::move(markers.diagnostics));
  if (markers.restored.empty() && !markers.include_lines) {
    r.text = text;
    return r;
  }
  std::string candidate = rebuild(text, lines, markers);
  std::vector<diagnostic> diags = verify(path, lines, markers, candidate, opts);
  if (has_error(diags))
    return failure(std::move(diags));
  r.changed = candidate != text;
  r.text = std::move(candidate);
  return r;
}

}  // namespace rewrite
}  // namespace failpoint
