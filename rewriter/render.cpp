// rewriter/render.cpp: enable and generate (see render.hpp).
#include "rewriter/render.hpp"

#include <algorithm>
#include <utility>

#include <clang/Lex/Token.h>

#include "rewriter/disable.hpp"
#include "rewriter/markers.hpp"
#include "rewriter/source.hpp"

namespace failpoint {
namespace rewrite {
namespace {

// A C string literal for `s`: quotes and backslashes escaped, control bytes in octal.
std::string string_literal(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      const char digits[] = {'\\', static_cast<char>('0' + ((c >> 6) & 7)),
                             static_cast<char>('0' + ((c >> 3) & 7)),
                             static_cast<char>('0' + (c & 7))};
      out.append(digits, sizeof digits);
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

// Every block's lines replaced by their enabled form.
std::string apply_blocks(const std::string& text, const line_table& lines,
                         const std::vector<block>& blocks, const options& opts) {
  std::map<unsigned, std::string> replacements;
  for (const block& b : blocks) {
    const std::vector<std::string> code = render_code(b, opts);
    for (unsigned l = b.first_line; l <= b.last_line; ++l)
      replacements.emplace(l, render_block_line(lines.content(l), code[l - b.first_line]));
  }
  return replace_lines(text, lines, replacements);
}

// Whether the text holds the include already, in either form.
bool has_include(const line_table& lines) {
  if (has_include_lines(lines))
    return true;
  for (unsigned l = 1; l <= lines.count(); ++l) {
    if (parse_include_here_line(lines.content(l)))
      return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> render_code(const block& b, const options& opts) {
  std::vector<std::string> lines;
  const std::string name = string_literal(full_name(opts, b));
  switch (b.kind) {
    case block_kind::label:
      lines.push_back(b.name + ":;");
      return lines;
    case block_kind::no_value:
      lines.push_back(b.body.empty() ? "if (FAILPOINT(" + name + ")) {}"
                                     : "if (FAILPOINT(" + name + ")) {");
      break;
    case block_kind::value:
      if (opts.c_language) {
        // C has no declaration in a condition: an outer block scopes the variable.
        lines.push_back("{ " + b.type + " " + b.name + "; if (FAILPOINT_VALUE(" + name + ", " +
                        b.type + ", &" + b.name + ")) {" + (b.body.empty() ? "} }" : ""));
      } else {
        lines.push_back("if (auto " + std::string(hit_variable) + " = FAILPOINT_VALUE(" + name +
                        ", " + b.type + ")) { " + b.type + " " + b.name + " = *" +
                        std::string(hit_variable) + "; (void)" + b.name + ";" +
                        (b.body.empty() ? " }" : ""));
      }
      break;
  }
  const std::string_view close = b.kind == block_kind::value && opts.c_language ? "} }" : "}";
  for (std::size_t i = 0; i < b.body.size(); ++i) {
    std::string code = b.body[i];
    if (i + 1 == b.body.size()) {
      if (!code.empty())
        code += ' ';
      code.append(close);
    }
    lines.push_back(std::move(code));
  }
  return lines;
}

std::string render_line(std::string_view indent, std::string_view code,
                        std::string_view original_comment) {
  std::string line;
  line.reserve(indent.size() + code.size() + marker.size() + original_comment.size() + 1);
  line.append(indent);
  line.append(code);
  line += ' ';
  line.append(marker);
  line.append(original_comment);
  return line;
}

std::string render_block_line(std::string_view original, std::string_view code) {
  const std::size_t slash = original.find("//");
  return render_line(original.substr(0, slash), code, original.substr(slash));
}

std::string replace_lines(std::string_view text, const line_table& lines,
                          const std::map<unsigned, std::string>& replacements) {
  std::string out;
  out.reserve(text.size() + replacements.size() * 64);
  std::size_t copied = 0;
  for (const auto& [line, content] : replacements) {
    const std::size_t b = lines.begin(line);
    out.append(text.substr(copied, b - copied));
    out.append(content);
    copied = lines.content_end(line);
  }
  out.append(text.substr(copied));
  return out;
}

std::string include_here_line(std::string_view original) {
  std::string line(site_include);
  line += ' ';
  line.append(include_here_marker);
  if (!original.empty()) {
    line += ' ';
    line.append(original);
  }
  return line;
}

std::optional<std::string_view> parse_include_here_line(std::string_view content) {
  const std::size_t head = site_include.size() + 1 + include_here_marker.size();
  if (content.size() < head || content.substr(0, site_include.size()) != site_include ||
      content[site_include.size()] != ' ' ||
      content.substr(site_include.size() + 1, include_here_marker.size()) != include_here_marker)
    return std::nullopt;
  const std::string_view rest = content.substr(head);
  if (rest.empty())
    return rest;
  if (rest[0] != ' ')
    return std::nullopt;
  return rest.substr(1);
}

bool can_hold_include(std::string_view content) {
  const std::string_view text = trim_left(content);
  if (text.empty())
    return true;
  // A marker's line is never taken: its text is not the user's.
  if (text.substr(0, 2) != "//" || text.substr(0, marker_stem.size()) == marker_stem)
    return false;
  return trim_right(text).back() != '\\';
}

bool has_include_lines(const line_table& lines) {
  return lines.count() >= 2 && lines.content(1) == include_line &&
         lines.content(2) == line_directive;
}

std::optional<unsigned> include_line_for(const std::string& text, const line_table& lines,
                                         bool c_language, unsigned limit_line) {
  // One pass over the tokens before the first code token: which lines hold anything but a
  // whole-line `//` comment, and where preprocessor conditionals open and close.
  std::vector<char> occupied(lines.count() + 2, 0);
  std::vector<std::pair<unsigned, int>> conditionals;  // line of #if / #endif, +1 / -1
  unsigned code_line = lines.count() + 1;              // the line of the first code token
  bool directive_name_next = false;
  bool line_started = false;  // a comment opened the current line: the next token starts it too
  const char* base = text.data();
  lex(base, base + text.size(), c_language,
      [&](const clang::Token& tok, const char* b, const char* e) {
        const std::size_t begin = static_cast<std::size_t>(b - base);
        const std::size_t end = static_cast<std::size_t>(e - base);
        const unsigned first = lines.line_of(begin);
        const unsigned last = lines.line_of(end > begin ? end - 1 : begin);
        if (first >= limit_line)
          return false;
        if (tok.is(clang::tok::comment)) {
          const bool whole_line =
              e - b >= 2 && b[1] == '/' && first == last &&
              trim_left(std::string_view(base + lines.begin(first), begin - lines.begin(first)))
                  .empty();
          if (!whole_line) {
            for (unsigned l = first; l <= last; ++l)
              occupied[l] = 1;
          }
          if (tok.isAtStartOfLine())
            line_started = true;
          return true;
        }
        if (tok.isAtStartOfLine() || line_started) {
          line_started = false;
          directive_name_next = tok.is(clang::tok::hash);
          if (!directive_name_next) {
            code_line = first;
            return false;
          }
        } else if (directive_name_next) {
          directive_name_next = false;
          const std::string_view name(b, static_cast<std::size_t>(e - b));
          if (name == "if" || name == "ifdef" || name == "ifndef")
            conditionals.emplace_back(first, 1);
          else if (name == "endif")
            conditionals.emplace_back(first, -1);
        }
        for (unsigned l = first; l <= last; ++l)
          occupied[l] = 1;
        return true;
      });
  const unsigned limit = std::min(limit_line, code_line);
  int depth = 0;
  std::size_t next = 0;
  for (unsigned l = 1; l < limit && l <= lines.count(); ++l) {
    for (; next < conditionals.size() && conditionals[next].first < l; ++next)
      depth += conditionals[next].second;
    if (occupied[l] || depth != 0 || lines.is_continuation(l) ||
        !can_hold_include(lines.content(l)))
      continue;
    return l;
  }
  return std::nullopt;
}

rewrite_result failure(std::vector<diagnostic> diagnostics) {
  rewrite_result r;
  r.ok = false;
  r.diagnostics = std::move(diagnostics);
  return r;
}

rewrite_result enable(std::string_view path, const std::string& text, const options& opts) {
  scan_result s = scan(path, text, opts);
  if (!s.ok())
    return failure(std::move(s.diagnostics));
  // Lines enabled before must be restorable: a damaged one is refused here as disable would
  // refuse it, so that whatever enable accepts, disable can undo (the rewriter fuzzer checks it).
  if (contains(text, marker_stem)) {
    rewrite_result check = disable(path, text, opts);
    if (!check.ok)
      return check;
  }
  rewrite_result r;
  r.diagnostics = std::move(s.diagnostics);
  if (s.blocks.empty()) {
    r.text = text;
    return r;
  }
  const line_table lines(text);
  std::string body = apply_blocks(text, lines, s.blocks, opts);
  if (!has_include(lines)) {
    if (const std::optional<unsigned> here =
            include_line_for(text, lines, opts.c_language, s.blocks.front().first_line)) {
      // `body` has the same lines as `text` up to the first block.
      const std::size_t b = lines.begin(*here);
      body.replace(b, lines.content_end(*here) - b, include_here_line(lines.content(*here)));
    } else {
      std::string eol(lines.eol(1));
      if (eol.empty())
        eol = "\n";
      const std::size_t bom = lines.bom();
      std::string head = text.substr(0, bom);
      head.append(include_line);
      head += eol;
      head.append(line_directive);
      head += eol;
      body.replace(0, bom, head);
    }
  }
  r.changed = body != text;
  r.text = std::move(body);
  return r;
}

rewrite_result generate(std::string_view original_path, const std::string& text,
                        const options& opts) {
  scan_result s = scan(original_path, text, opts);
  if (!s.ok())
    return failure(std::move(s.diagnostics));
  const line_table lines(text);
  std::string body = s.blocks.empty() ? text : apply_blocks(text, lines, s.blocks, opts);
  const std::size_t bom = lines.bom();
  std::string head = text.substr(0, bom);
  if (!s.blocks.empty()) {
    head.append(site_include);
    head += '\n';
  }
  head += "#line 1 ";
  head += string_literal(original_path);
  head += '\n';
  body.replace(0, bom, head);
  rewrite_result r;
  r.changed = true;
  r.text = std::move(body);
  r.diagnostics = std::move(s.diagnostics);
  return r;
}

}  // namespace rewrite
}  // namespace failpoint
