// rewriter/scan.cpp: the comment grammar (scan.hpp holds the normative copy; each production is
// echoed above the code that parses it), type normalisation and the warnings.
#include "rewriter/scan.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <utility>

#include <clang/Lex/Token.h>

#include "rewriter/markers.hpp"
#include "rewriter/source.hpp"
#include "rewriter/structure.hpp"

namespace failpoint {
namespace rewrite {
namespace {

// The note that comes with every warning about a body, at its header: the rule, and how to keep
// a comment.
constexpr const char* body_rule_note =
    "the body of this failpoint is every '//' line right below its header, compiled as code; "
    "write '// //' to keep a comment inside the body, or leave a blank line after the header "
    "when the comment is about the code below";

// Spellings that a user writing a header most likely meant as 'failpoint:' (compared in lower
// case; see check_near_miss).
constexpr std::string_view near_miss_words[] = {"failpoint", "failpoints", "fail_point", "gofail"};
// Words after which another word may follow inside a type-id (`const T`, `struct S`,
// `typename T::type`); after any other word only a keyword may (`unsigned long`, `T const`).
bool may_precede_a_name(std::string_view word) {
  return word == "const" || word == "volatile" || word == "struct" || word == "class" ||
         word == "enum" || word == "union" || word == "typename";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One `//` comment (or a `/* */` one that mentions the header keyword), with where it stands.
struct comment {
  std::size_t begin = 0;
  std::size_t end = 0;
  unsigned function = 0;          // 0: not in a function body
  bool needs_statement = false;   // right after `if (...)`, `else`, `do`... (no brace)
  bool outside_function = false;  // at file, namespace or class scope
};

struct lexed_file {
  std::vector<comment> line_comments;
  std::vector<comment> block_comments;  // only those that mention the header keyword
};

lexed_file lex_file(const std::string& text, bool c_language) {
  lexed_file out;
  function_tracker functions;
  const char* base = text.data();
  lex(base, base + text.size(), c_language,
      [&](const clang::Token& tok, const char* b, const char* e) {
        const std::size_t len = static_cast<std::size_t>(e - b);
        if (!tok.is(clang::tok::comment)) {
          functions.token(tok.getKind(), tok.isAtStartOfLine(), std::string_view(b, len));
          return;
        }
        comment c{static_cast<std::size_t>(b - base), static_cast<std::size_t>(e - base),
                  functions.current_function(), functions.needs_statement(),
                  functions.at_declaration_scope()};
        if (len >= 2 && b[1] == '/')
          out.line_comments.push_back(c);
        else if (::memmem(b, len, header_keyword.data(), header_keyword.size()))
          out.block_comments.push_back(c);
      });
  return out;
}

class scanner {
 public:
  scanner(std::string_view path, const std::string& text, const options& opts)
      : path_(path), text_(text), opts_(opts), lines_(text) {}

  scan_result run() {
    const lexed_file lexed = lex_file(text_, opts_.c_language);
    for (const comment& c : lexed.block_comments)
      check_block_comment(c);
    const auto& cs = lexed.line_comments;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (is_header(cs[i]))
        i = parse_block(cs, i);
      else
        check_near_miss(cs[i]);
    }
    return std::move(result_);
  }

 private:
  std::string_view comment_text(const comment& c) const {
    return std::string_view(text_).substr(c.begin, c.end - c.begin);
  }
  // The text after `//`, with leading blanks removed, starts with the header keyword (and not
  // with a qualified name such as `failpoint::enable`).
  bool is_header(const comment& c) const {
    const std::string_view t = trim_left(comment_text(c).substr(2));
    return t.substr(0, header_keyword.size()) == header_keyword &&
           t.substr(header_keyword.size(), 1) != ":";
  }
  bool is_spliced(const comment& c) const {
    return comment_text(c).find_first_of("\r\n") != std::string_view::npos;
  }
  // Only blanks before the comment on its line, and the line does not continue the previous one.
  bool is_own_line(const comment& c, unsigned line) const {
    for (std::size_t p = lines_.begin(line); p < c.begin; ++p) {
      if (!is_hspace(text_[p]))
        return false;
    }
    return !lines_.is_continuation(line);
  }

  void report(severity level, std::size_t offset, std::string message) {
    result_.diagnostics.push_back(diagnostic_at(level, path_, lines_, offset, std::move(message)));
  }
  void error(std::size_t offset, std::string message) {
    report(severity::error, offset, std::move(message));
  }
  // A warning and the note that explains the rule behind it, at `note_offset` (a note at the
  // warning's own place shows no source line again).
  void warning(std::size_t offset, std::string message, std::string note,
               std::size_t note_offset = std::string::npos) {
    if (opts_.warnings_as_errors)
      message += " [--Werror]";
    report(opts_.warnings_as_errors ? severity::error : severity::warning, offset,
           std::move(message));
    report(severity::note, note_offset == std::string::npos ? offset : note_offset,
           std::move(note));
    if (note_offset == std::string::npos || note_offset == offset)
      result_.diagnostics.back().source_line.clear();
  }

  // var-header  ::= '//' ws* 'failpoint:' ws* 'var' ws+ NAME (ws+ TYPE)? ws*
  // label-header::= '//' ws* 'failpoint:' ws* LABEL ':' ws*
  // block       ::= var-header body* | label-header
  // Returns the index of the last comment that belongs to the block.
  std::size_t parse_block(const std::vector<comment>& cs, std::size_t i) {
    const comment& h = cs[i];
    const unsigned line = lines_.line_of(h.begin);
    const std::string_view text = comment_text(h);
    const std::size_t kw = text.find(header_keyword);
    const std::size_t after = h.begin + kw + header_keyword.size();

    block b;
    b.first_line = b.last_line = line;
    b.column = lines_.column_of(h.begin);
    b.comments.emplace_back(text);
    bool ok = true;

    if (!is_own_line(h, line)) {
      error(h.begin, "failpoint header must be on its own line (only blanks before '//')");
      ok = false;
    }
    if (h.needs_statement) {
      error(h.begin,
            "failpoint as the only statement of an if, for, while, switch, else or do without "
            "braces would take the place of the statement below it; add braces");
      ok = false;
    }
    if (is_spliced(h)) {
      error(h.begin, "failpoint comment continues onto the next line (backslash at end of line)");
      return i;
    }

    const std::string_view rest = text.substr(kw + header_keyword.size());
    const std::string_view words = trim_left(rest);
    const std::size_t pos = after + (rest.size() - words.size());  // file offset of `words`
    std::size_t n = 0;
    while (n < words.size() && is_ident_char(words[n]))
      ++n;
    const std::string_view first_word = words.substr(0, n);
    const std::string_view after_word = words.substr(n);

    if (first_word == "var" && (after_word.empty() || is_hspace(after_word[0]))) {
      // 'var' ws+ NAME (ws+ TYPE)?
      const std::string_view name_part = trim_left(after_word);
      const std::size_t name_pos = pos + n + (after_word.size() - name_part.size());
      std::size_t m = 0;
      while (m < name_part.size() && !is_hspace(name_part[m]))
        ++m;
      const std::string_view name = name_part.substr(0, m);
      if (name.empty()) {
        error(name_pos, "failpoint header has no name; expected 'var NAME [TYPE]'");
        ok = false;
      } else if (!is_identifier(name)) {
        error(name_pos, "invalid failpoint name '" + std::string(name) +
                            "'; expected an identifier ([A-Za-z_][A-Za-z0-9_]*)");
        ok = false;
      } else if (is_keyword(name)) {
        error(name_pos, "failpoint name '" + std::string(name) + "' is a C++ keyword");
        ok = false;
      } else if (name == hit_variable) {
        error(name_pos, "failpoint name '" + std::string(name) + "' is reserved");
        ok = false;
      }
      b.name = std::string(name);
      const std::string_view type_part = trim_left(name_part.substr(m));
      const std::size_t type_pos = name_pos + m + (name_part.size() - m - type_part.size());
      if (!trim(type_part).empty()) {
        if (std::optional<std::string> type = parse_type(trim_right(type_part), type_pos))
          b.type = std::move(*type);
        else
          ok = false;
      }
      b.kind = b.type.empty() ? block_kind::no_value : block_kind::value;
    } else if (n > 0 && !after_word.empty() && after_word[0] == ':' &&
               trim(after_word.substr(1)).empty()) {
      // LABEL ':'
      b.kind = block_kind::label;
      b.name = std::string(first_word);
      if (!is_identifier(first_word)) {
        error(pos, "invalid failpoint label '" + b.name + "'; expected an identifier");
        ok = false;
      } else if (is_keyword(first_word)) {
        error(pos, "failpoint label '" + b.name + "' is a C++ keyword");
        ok = false;
      }
    } else if (trim(words).empty()) {
      error(pos, "failpoint header has no name; expected 'var NAME [TYPE]' or 'LABEL:'");
      ok = false;
    } else {
      error(pos, "malformed failpoint header; expected 'var NAME [TYPE]' or 'LABEL:'");
      ok = false;
    }

    // body ::= '//' ws* CODE | '//' ws* '//' TEXT: every `//` line right below the header, each
    //          alone on its line, up to the next header
    std::size_t j = i;
    std::vector<std::size_t> body_offsets;  // file offset of each body line's `//`
    if (b.kind != block_kind::label) {
      while (j + 1 < cs.size()) {
        const comment& c = cs[j + 1];
        const unsigned l = lines_.line_of(c.begin);
        if (l != b.last_line + 1 || !is_own_line(c, l) || is_header(c))
          break;
        ++j;
        b.last_line = l;
        b.comments.emplace_back(comment_text(c));
        if (is_spliced(c)) {
          error(c.begin,
                "failpoint body line continues onto the next line (backslash at end of line)");
          ok = false;
          break;
        }
        std::optional<std::string> code = body_code(c);
        if (!code)
          ok = false;
        b.body.push_back(code ? std::move(*code) : std::string());
        body_offsets.push_back(c.begin);
      }
    }

    if (b.last_line >= lines_.count()) {
      error(h.begin,
            "failpoint at the end of the file; a failpoint must be followed by the code it "
            "guards");
      ok = false;
    }

    if (ok && b.kind == block_kind::label) {
      auto& labels = labels_[h.function];
      auto [it, inserted] = labels.emplace(b.name, h.begin);
      if (!inserted) {
        error(pos, "duplicate failpoint label '" + b.name + "' in one function");
        report(severity::note, it->second, "previous label '" + b.name + "' is here");
        ok = false;
      }
    }
    if (ok && b.kind != block_kind::label) {
      type_registry* types = opts_.types != nullptr ? opts_.types : &types_;
      diagnostic here = diagnostic_at(severity::error, path_, lines_, h.begin, "");
      const std::string full = full_name(opts_, b);
      if (const type_registry::declaration* first = types->check(full, b.type, here)) {
        here.message = "failpoint '" + full + "' declared with type '" + show_type(b.type) +
                       "' here but with type '" + show_type(first->type) + "' elsewhere";
        result_.diagnostics.push_back(here);
        diagnostic note = first->where;
        note.level = severity::note;
        note.message = "failpoint '" + full + "' first declared here";
        result_.diagnostics.push_back(std::move(note));
        ok = false;
      }
    }
    if (ok) {
      if (h.outside_function) {
        warning(h.begin,
                std::string(b.kind == block_kind::label ? "failpoint label" : "failpoint") +
                    " outside any function body; its code is a statement and does not compile "
                    "here",
                "a failpoint belongs inside a function body, before the code it guards");
      }
      check_body(b, h.begin, body_offsets);
      result_.blocks.push_back(std::move(b));
    }
    return j;
  }

  static std::string show_type(const std::string& t) { return t.empty() ? "(no value)" : t; }

  // CODE loses leading blanks and a trailing comment; an ordinary comment gives no code.
  // Nothing when the line cannot be code (the error is reported).
  std::optional<std::string> body_code(const comment& c) {
    const std::string_view t = trim_left(comment_text(c).substr(2));
    if (t.substr(0, 2) == "//")  // an ordinary comment kept in the body
      return std::string();
    const std::size_t offset = c.end - t.size();
    const std::string buffer(t);
    std::size_t first = std::string::npos, last = 0, any_end = 0;
    bool ok = true;
    lex(buffer.data(), buffer.data() + buffer.size(), opts_.c_language,
        [&](const clang::Token& tok, const char* b, const char* e) {
          if (!ok)
            return;
          any_end = static_cast<std::size_t>(e - buffer.data());
          if (tok.is(clang::tok::unknown)) {
            error(offset + static_cast<std::size_t>(b - buffer.data()),
                  "unterminated string, character literal or comment in a failpoint body line");
            ok = false;
            return;
          }
          if (tok.is(clang::tok::comment)) {
            if (b[1] == '*' && (e - b < 4 || e[-1] != '/' || e[-2] != '*')) {
              error(offset + static_cast<std::size_t>(b - buffer.data()),
                    "unterminated /* comment in a failpoint body line");
              ok = false;
            }
            return;
          }
          if (first == std::string::npos)
            first = static_cast<std::size_t>(b - buffer.data());
          last = static_cast<std::size_t>(e - buffer.data());
        });
    if (!ok)
      return std::nullopt;
    // The raw lexer skips an unterminated /* comment silently: it is whatever follows the last
    // token.
    if (const std::string_view tail = trim_left(std::string_view(buffer).substr(any_end));
        !tail.empty()) {
      error(offset + buffer.size() - tail.size(),
            "unterminated /* comment in a failpoint body line");
      return std::nullopt;
    }
    if (first == std::string::npos)
      return std::string();
    return buffer.substr(0, last);  // comments between tokens stay; a trailing one is dropped
  }

  // Warns about a body that most likely holds prose: a line with three plain words in a row or
  // ending in '.', or a last code line that ends no statement (not ';', '{' or '}').
  void check_body(const block& b, std::size_t header, const std::vector<std::size_t>& offsets) {
    std::size_t last_code = b.body.size();
    for (std::size_t k = 0; k < b.body.size(); ++k) {
      const std::string& code = b.body[k];
      if (code.empty())
        continue;
      last_code = k;
      if (reads_like_prose(code)) {
        warning(code_offset(offsets[k]),
                "this comment is part of the failpoint's body and is compiled as code, but it "
                "reads like prose",
                body_rule_note, header);
        return;
      }
    }
    if (last_code == b.body.size())
      return;
    const std::string& code = b.body[last_code];
    const char end = code.back();
    if (end != ';' && end != '}' && end != '{') {
      warning(code_offset(offsets[last_code]),
              "the failpoint's body does not end a statement (';' or '}'); is this '//' line a "
              "comment rather than code?",
              body_rule_note, header);
    }
  }
  // The offset of the code after a body line's `//` and blanks.
  std::size_t code_offset(std::size_t comment_begin) const {
    const std::string_view t = std::string_view(text_).substr(comment_begin + 2);
    return comment_begin + 2 + (t.size() - trim_left(t).size());
  }
  bool reads_like_prose(const std::string& code) const {
    int words_in_a_row = 0;
    bool prose = false;
    clang::tok::TokenKind last = clang::tok::unknown;
    lex(code.data(), code.data() + code.size(), opts_.c_language,
        [&](const clang::Token& tok, const char* b, const char* e) {
          if (tok.is(clang::tok::comment))
            return;
          last = tok.getKind();
          const std::string_view word(b, static_cast<std::size_t>(e - b));
          if (tok.is(clang::tok::raw_identifier) && !is_keyword(word)) {
            if (++words_in_a_row >= 3)
              prose = true;
          } else {
            words_in_a_row = 0;
          }
        });
    return prose || last == clang::tok::period;
  }

  // TYPE: see normalize_type; reports its error or its prose warning here. Nothing on error.
  std::optional<std::string> parse_type(std::string_view type, std::size_t offset) {
    const result<normalized_type> t = normalize_type(type, opts_.c_language);
    if (!t) {
      const std::size_t at = t.failure().position == std::string::npos ? 0 : t.failure().position;
      error(offset + at,
            "malformed failpoint type '" + std::string(trim(type)) + "': " + t.message());
      return std::nullopt;
    }
    if (t->prose_at != std::string::npos) {
      std::string_view extra = trim(type.substr(t->prose_at));
      warning(offset + t->prose_at,
              "'" + std::string(extra) +
                  "' is not part of a C++ type, yet the whole rest of the "
                  "header is read as the failpoint's type",
              "a header is '// failpoint: var NAME TYPE'; write a comment after the type as "
              "'// failpoint: var NAME TYPE // comment'");
    }
    return t->spelling;
  }

  // A `/* */` comment is never compiled as a failpoint: a header there is a mistake.
  void check_block_comment(const comment& c) {
    const std::string_view t = comment_text(c);
    std::size_t p = 0;
    while ((p = t.find(header_keyword, p)) != std::string_view::npos) {
      std::size_t q = p;
      bool at_line_start = true;
      while (q > 0) {
        const char ch = t[q - 1];
        if (ch == '\n' || ch == '\r')
          break;
        if (!(is_hspace(ch) || ch == '/' || ch == '*')) {
          at_line_start = false;
          break;
        }
        --q;
      }
      if (at_line_start && q == 0) {  // on the comment's first line: code may precede the `/*`
        const unsigned line = lines_.line_of(c.begin);
        for (std::size_t k = lines_.begin(line); k < c.begin; ++k) {
          if (!is_hspace(text_[k]))
            at_line_start = false;
        }
      }
      std::string_view rest = trim_left(t.substr(p + header_keyword.size()));
      std::size_t n = 0;
      while (n < rest.size() && is_ident_char(rest[n]))
        ++n;
      const bool looks_like_header =
          (rest.substr(0, 3) == "var" && n == 3) || (n > 0 && n < rest.size() && rest[n] == ':');
      if (at_line_start && looks_like_header) {
        error(c.begin + p,
              "failpoint header inside a /* */ comment is never rewritten; use '//' comments");
      }
      p += header_keyword.size();
    }
  }

  // A `//` comment that is not a header but whose author most likely meant one: a near-miss
  // keyword (any case, colon or not, after `//`, `///` or `//!`) followed by what a header has
  // after its keyword ('var NAME...' or 'LABEL:').
  void check_near_miss(const comment& c) {
    const std::string_view t = comment_text(c).substr(2);
    std::size_t i = 0;
    bool extra = false;  // `///` or `//!`
    while (i < t.size() && (t[i] == '/' || t[i] == '!')) {
      extra = true;
      ++i;
    }
    while (i < t.size() && is_hspace(t[i]))
      ++i;
    std::size_t n = i;
    while (n < t.size() && is_ident_char(t[n]))
      ++n;
    const std::string word = lower(t.substr(i, n - i));
    if (std::find(std::begin(near_miss_words), std::end(near_miss_words), word) ==
        std::end(near_miss_words))
      return;
    std::string_view rest = trim_left(t.substr(n));
    const bool colon = !rest.empty() && rest[0] == ':';
    if (colon)
      rest = trim_left(rest.substr(1));
    std::size_t m = 0;
    while (m < rest.size() && is_ident_char(rest[m]))
      ++m;
    const std::string_view next = rest.substr(0, m);
    const std::string_view after = rest.substr(m);
    const bool var_form = next == "var" && !after.empty() && is_hspace(after[0]) &&
                          !trim_left(after).empty() && is_ident_start(trim_left(after)[0]);
    const bool label_form =
        m > 0 && !after.empty() && after[0] == ':' && trim(after.substr(1)).empty();
    if (!var_form && !label_form)
      return;
    const std::size_t at = c.begin + 2 + i;
    const std::string spelled(t.substr(i, n - i));
    std::string why;
    if (word == "gofail")
      why = "'gofail:' is gofail's keyword";
    else if (extra)
      why = "a header starts with exactly two slashes, not '///' or '//!'";
    else if (spelled != "failpoint")
      why = "the keyword is spelled 'failpoint:' (lower case, one word)";
    else
      why = "the keyword needs its colon right after it: 'failpoint:'";
    warning(at, "this comment looks like a failpoint header but is not one, so it stays a comment",
            why + "; a header reads '// failpoint: var NAME [TYPE]' or '// failpoint: LABEL:'");
  }

  std::string_view path_;
  const std::string& text_;
  const options& opts_;
  line_table lines_;
  scan_result result_;
  type_registry types_;
  std::map<unsigned, std::map<std::string, std::size_t>> labels_;  // function -> label -> offset
};

bool lower_equals(std::string_view text, std::size_t at, std::string_view lower_word) {
  return at <= text.size() && text.size() - at >= lower_word.size() &&
         lower(text.substr(at, lower_word.size())) == lower_word;
}

// The fast path: whether the header keyword or a near-miss word (in lower or upper case around an
// "ail" or "AIL", any case elsewhere) appears in the text. Costs three memmem passes; a text
// without any is not lexed at all.
bool mentions_failpoint(const std::string& text) {
  if (contains(text, header_keyword))
    return true;
  const std::string_view t(text);
  for (const std::string_view stem : {std::string_view("ail"), std::string_view("AIL")}) {
    for (std::size_t at = t.find(stem); at != std::string_view::npos; at = t.find(stem, at + 1)) {
      const bool fail = at >= 1 && lower_equals(t, at - 1, "f");
      if ((fail && (lower_equals(t, at + 3, "point") || lower_equals(t, at + 3, "_point"))) ||
          (at >= 3 && lower_equals(t, at - 3, "gof")))
        return true;
    }
  }
  return false;
}

}  // namespace

const type_registry::declaration* type_registry::check(const std::string& full_name,
                                                       const std::string& type,
                                                       const diagnostic& where) {
  auto [it, inserted] = seen_.emplace(full_name, declaration{type, where});
  if (inserted || it->second.type == type)
    return nullptr;
  return &it->second;
}

scan_result scan(std::string_view path, const std::string& text, const options& opts) {
  if (!mentions_failpoint(text))
    return {};
  return scanner(path, text, opts).run();
}

// TYPE ::= a C++ type-id: names, keywords, '::', '<' ARGS '>', '*', '&', '&&', decltype(...);
//          a trailing '//' or '/* */' comment is not part of it
result<normalized_type> normalize_type(std::string_view type, bool c_language) {
  const std::string buffer(type);
  normalized_type out;
  std::string& canon = out.spelling;
  int angle = 0;
  std::vector<clang::tok::TokenKind> brackets;  // open ( and [
  clang::tok::TokenKind prev = clang::tok::unknown;
  std::string_view prev_spelling;
  std::string problem;
  std::size_t problem_at = 0;
  bool trailing_comment = false;
  lex(buffer.data(), buffer.data() + buffer.size(), c_language,
      [&](const clang::Token& tok, const char* b, const char* e) {
        if (!problem.empty())
          return;
        const std::string_view sp(b, static_cast<std::size_t>(e - b));
        const std::size_t at = static_cast<std::size_t>(b - buffer.data());
        const clang::tok::TokenKind k = tok.getKind();
        auto fail = [&](std::string why) {
          problem = std::move(why);
          problem_at = at;
        };
        if (k == clang::tok::comment) {
          trailing_comment = true;
          return;
        }
        if (trailing_comment)
          return fail("unexpected text after a comment");
        const bool word = k == clang::tok::raw_identifier || k == clang::tok::numeric_constant;
        const bool nested = angle > 0 || !brackets.empty();
        switch (k) {
          case clang::tok::raw_identifier:
            // Outside template arguments a word follows a word only as in `unsigned long`,
            // `T const` or `const T`, and follows `>`, `*`, `&`, `)` only as a cv-qualifier.
            if (!nested && out.prose_at == std::string::npos && prev != clang::tok::unknown &&
                prev != clang::tok::coloncolon && prev != clang::tok::less && !is_keyword(sp) &&
                !(prev == clang::tok::raw_identifier && may_precede_a_name(prev_spelling)) &&
                !(prev == clang::tok::raw_identifier && prev_spelling == "decltype"))
              out.prose_at = at;
            break;
          case clang::tok::numeric_constant:
            if (!nested)
              return fail("a number is only allowed in template arguments");
            break;
          case clang::tok::coloncolon:
            if (prev == clang::tok::coloncolon)
              return fail("'::' twice");
            break;
          case clang::tok::star:
          case clang::tok::amp:
          case clang::tok::ampamp:
            if (prev == clang::tok::unknown)
              return fail("a type cannot start with '" + std::string(sp) + "'");
            break;
          case clang::tok::less:
            if (prev != clang::tok::raw_identifier)
              return fail("'<' must follow a name");
            if (brackets.empty())
              ++angle;
            break;
          case clang::tok::greater:
          case clang::tok::greatergreater:
            if (brackets.empty()) {
              angle -= k == clang::tok::greater ? 1 : 2;
              if (angle < 0)
                return fail("unbalanced '>'");
            }
            break;
          case clang::tok::comma:
            if (!nested)
              return fail("',' outside template arguments");
            break;
          case clang::tok::l_paren:
            if (!nested && prev_spelling != "decltype" && prev_spelling != "__typeof__" &&
                prev_spelling != "typeof")
              return fail("'(' outside template arguments (only decltype(...) is allowed)");
            brackets.push_back(k);
            break;
          case clang::tok::l_square:
            if (!nested)
              return fail("'[' outside template arguments (arrays are not allowed)");
            brackets.push_back(k);
            break;
          case clang::tok::r_paren:
          case clang::tok::r_square:
            if (brackets.empty() ||
                brackets.back() !=
                    (k == clang::tok::r_paren ? clang::tok::l_paren : clang::tok::l_square))
              return fail("unbalanced '" + std::string(sp) + "'");
            brackets.pop_back();
            break;
          case clang::tok::plus:
          case clang::tok::minus:
          case clang::tok::period:
          case clang::tok::arrow:
            if (!nested)
              return fail("unexpected '" + std::string(sp) + "'");
            break;
          default:
            return fail("unexpected '" + std::string(sp) + "'");
        }
        if (!canon.empty()) {
          const bool prev_word =
              prev == clang::tok::raw_identifier || prev == clang::tok::numeric_constant;
          if ((prev_word && word) || prev == clang::tok::comma)
            canon += ' ';
        }
        canon.append(sp.data(), sp.size());
        prev = k;
        prev_spelling = sp;
      });
  if (problem.empty()) {
    if (angle != 0)
      problem = "unbalanced '<'", problem_at = 0;
    else if (!brackets.empty())
      problem = "unbalanced bracket", problem_at = 0;
    else if (prev == clang::tok::coloncolon || prev == clang::tok::comma ||
             prev == clang::tok::less)
      problem = "the type ends too early", problem_at = buffer.size();
    else if (canon.empty())
      problem = "no type", problem_at = 0;
  }
  if (!problem.empty())
    return error{std::move(problem), problem_at};
  return out;
}

}  // namespace rewrite
}  // namespace failpoint
