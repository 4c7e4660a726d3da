// rewriter/rewriter.cpp: scanning `// failpoint:` comments with Clang's raw lexer, and the
// enable / disable / generate text transformations. See rewriter.hpp for the grammar.
#include "rewriter/rewriter.hpp"

#include <clang/Basic/IdentifierTable.h>
#include <clang/Basic/LangOptions.h>
#include <clang/Basic/SourceLocation.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/Token.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

namespace failpoint {
namespace rewrite {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view header_keyword = "failpoint:";
constexpr std::string_view line_directive = "#line 1";
constexpr std::string_view site_include = "#include <failpoint/failpoint.hpp>";
constexpr std::string_view include_marker_comment = "//@failpoint-include";

bool is_hspace(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_hspace(s[i]))
    ++i;
  return s.substr(i);
}
std::string_view trim_right(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && is_hspace(s[n - 1]))
    --n;
  return s.substr(0, n);
}
std::string_view trim(std::string_view s) {
  return trim_right(trim_left(s));
}

bool contains(std::string_view haystack, std::string_view needle) {
  return ::memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

// The lines of a text. Line ends are "\n", "\r\n" or a lone "\r", as for the compiler. Line 1
// starts after a UTF-8 byte order mark.
class line_table {
 public:
  explicit line_table(std::string_view text) : text_(text) {
    bom_ = text.substr(0, utf8_bom.size()) == utf8_bom ? utf8_bom.size() : 0;
    starts_.reserve(text.size() / 32 + 1);
    starts_.push_back(bom_);
    const char* p = text.data();
    const std::size_t n = text.size();
    if (std::memchr(p + bom_, '\r', n - bom_) == nullptr) {
      // Only "\n" line ends (nearly every file): memchr finds them fast.
      const char* end = p + n;
      for (const char* q = p + bom_;
           (q = static_cast<const char*>(std::memchr(q, '\n', end - q)));) {
        ++q;
        if (q == end)
          break;
        starts_.push_back(static_cast<std::size_t>(q - p));
      }
      return;
    }
    for (std::size_t i = bom_; i < n; ++i) {
      const char c = p[i];
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
          ++i;
        if (i + 1 < n)
          starts_.push_back(i + 1);
      }
    }
  }

  std::size_t bom() const { return bom_; }
  unsigned count() const { return static_cast<unsigned>(starts_.size()); }
  std::size_t begin(unsigned line) const { return starts_[line - 1]; }
  std::size_t end(unsigned line) const { return line < count() ? starts_[line] : text_.size(); }
  std::size_t content_end(unsigned line) const {
    std::size_t e = end(line);
    const std::size_t b = begin(line);
    if (e > b && text_[e - 1] == '\n')
      --e;
    if (e > b && text_[e - 1] == '\r')
      --e;
    return e;
  }
  std::string_view content(unsigned line) const {
    return text_.substr(begin(line), content_end(line) - begin(line));
  }
  std::string_view eol(unsigned line) const {
    return text_.substr(content_end(line), end(line) - content_end(line));
  }
  unsigned line_of(std::size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    return it == starts_.begin() ? 1u : static_cast<unsigned>(it - starts_.begin());
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
  std::size_t bom_ = 0;
};

clang::LangOptions language(bool c_language) {
  clang::LangOptions lo;
  lo.LineComment = 1;
  lo.DollarIdents = 1;
  lo.Digraphs = 1;
  if (c_language) {
    lo.C99 = 1;
    lo.C11 = 1;
    lo.C17 = 1;
  } else {
    // C++20 so that digit separators, raw strings, u8'' and <=> lex as the compiler sees them.
    lo.CPlusPlus = 1;
    lo.CPlusPlus11 = 1;
    lo.CPlusPlus14 = 1;
    lo.CPlusPlus17 = 1;
    lo.CPlusPlus20 = 1;
    lo.Bool = 1;
    lo.WChar = 1;
    lo.Char8 = 1;
  }
  return lo;
}

const clang::LangOptions& language_cached(bool c_language) {
  static const clang::LangOptions cxx = language(false);
  static const clang::LangOptions c = language(true);
  return c_language ? c : cxx;
}

// Calls fn(token, begin, end) for every token of a NUL-terminated buffer, comments included.
template <class Fn>
void lex(const char* begin, const char* end, bool c_language, Fn&& fn) {
  clang::Lexer lexer(clang::SourceLocation(), language_cached(c_language), begin, begin, end);
  lexer.SetCommentRetentionState(true);
  clang::Token tok;
  for (;;) {
    lexer.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof))
      break;
    const char* tok_end = lexer.getBufferLocation();
    fn(tok, tok_end - tok.getLength(), tok_end);
  }
}

bool is_keyword(std::string_view word) {
  static const std::set<std::string, std::less<>> keywords = [] {
    std::set<std::string, std::less<>> k;
    clang::IdentifierTable table(language(false));
    for (auto it = table.begin(); it != table.end(); ++it) {
      if (it->getValue()->getTokenID() != clang::tok::identifier)
        k.insert(it->getKey().str());
    }
    return k;
  }();
  return keywords.count(word) != 0;
}

// ---------------------------------------------------------------------------------------------
// Lexing a file: line comments (with the function they are in) and block comments.

struct comment {
  std::size_t begin = 0;
  std::size_t end = 0;
  unsigned function = 0;         // 0: not in a function body
  bool needs_statement = false;  // right after `if (...)`, `else`, `do`... (no brace)
};

// What a `{` opens, decided from the tokens since the last `;`, `{` or `}`.
enum class scope { other, namespace_, class_, function, block, init };

// Tracks which function body each token is in, well enough to tell labels of one function from
// those of another (lambdas and local classes' member functions are functions of their own).
class function_tracker {
 public:
  void token(const clang::Token& tok, std::string_view spelling) {
    using clang::tok::TokenKind;
    const TokenKind k = tok.getKind();
    // Preprocessor directive lines do not take part (their `(` and `{` are not code).
    if (tok.isAtStartOfLine())
      in_directive_ = k == clang::tok::hash;
    if (in_directive_)
      return;
    const bool control_close =
        k == clang::tok::r_paren && !parens_.empty() && parens_.back().control;
    switch (k) {
      case clang::tok::raw_identifier:
        if (spelling == "namespace")
          seen_namespace_ = true;
        if (spelling == "class" || spelling == "struct" || spelling == "union" ||
            spelling == "enum")
          seen_class_key_ = true;
        break;
      case clang::tok::equal:
        if (paren_depth() == 0)
          seen_equal_ = true;
        break;
      case clang::tok::l_paren:
        parens_.push_back({previous_ == clang::tok::r_square,
                           previous_ == clang::tok::raw_identifier &&
                               (previous_spelling_ == "if" || previous_spelling_ == "for" ||
                                previous_spelling_ == "while" || previous_spelling_ == "switch" ||
                                previous_spelling_ == "constexpr")});
        break;
      case clang::tok::r_paren:
        seen_paren_ = true;
        if (!parens_.empty()) {
          lambda_ = parens_.back().lambda;
          parens_.pop_back();
        }
        break;
      case clang::tok::l_brace:
        open_brace();
        break;
      case clang::tok::r_brace:
        if (!stack_.empty())
          stack_.pop_back();
        reset();
        break;
      case clang::tok::semi:
        if (parens_.empty())  // not the `;` of a for (...)
          reset();
        break;
      default:
        break;
    }
    if (k != clang::tok::comment) {
      previous_ = k;
      previous_spelling_ = spelling;
      needs_statement_ = control_close || (k == clang::tok::raw_identifier &&
                                           (spelling == "else" || spelling == "do"));
    }
  }

  // The last token was `)` of if/for/while/switch, `else` or `do`: what follows is their only
  // statement, so a failpoint there would take the place of the statement that follows it.
  bool needs_statement() const { return needs_statement_; }

  unsigned current_function() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->first == scope::function)
        return it->second;
    }
    return 0;
  }

 private:
  std::size_t paren_depth() const { return parens_.size(); }

  void open_brace() {
    const scope outer = stack_.empty() ? scope::other : stack_.back().first;
    const bool in_function = outer == scope::function || outer == scope::block;
    const bool lambda =
        previous_ == clang::tok::r_square || (lambda_ && previous_ != clang::tok::semi);
    scope s;
    if (in_function) {
      if (lambda)
        s = scope::function;
      else if (seen_class_key_ && !seen_paren_ && !seen_equal_)
        s = scope::class_;
      else
        s = scope::block;
    } else if (seen_namespace_) {
      s = scope::namespace_;
    } else if (seen_equal_) {
      s = scope::init;
    } else if (seen_class_key_ && !seen_paren_) {
      s = scope::class_;
    } else if (seen_paren_) {
      s = scope::function;
    } else {
      s = scope::other;
    }
    stack_.emplace_back(s, s == scope::function ? ++functions_ : 0u);
    reset();
  }

  void reset() {
    seen_namespace_ = seen_class_key_ = seen_equal_ = seen_paren_ = lambda_ = false;
    parens_.clear();
  }

  std::vector<std::pair<scope, unsigned>> stack_;
  struct paren {
    bool lambda;   // follows `]`: a lambda's parameters
    bool control;  // follows if, for, while, switch (or `if constexpr`)
  };
  std::vector<paren> parens_;
  std::string_view previous_spelling_;
  bool in_directive_ = false;
  bool needs_statement_ = false;
  clang::tok::TokenKind previous_ = clang::tok::unknown;
  unsigned functions_ = 0;
  bool seen_namespace_ = false, seen_class_key_ = false, seen_equal_ = false, seen_paren_ = false,
       lambda_ = false;
};

struct lexed_file {
  std::vector<comment> line_comments;
  std::vector<comment> block_comments;  // only those that mention "failpoint:"
};

lexed_file lex_file(const std::string& text, bool c_language, bool track_functions) {
  lexed_file out;
  function_tracker functions;
  const char* base = text.data();
  lex(base, base + text.size(), c_language,
      [&](const clang::Token& tok, const char* b, const char* e) {
        if (tok.is(clang::tok::comment)) {
          const std::size_t len = static_cast<std::size_t>(e - b);
          if (len >= 2 && b[1] == '/') {
            out.line_comments.push_back({static_cast<std::size_t>(b - base),
                                         static_cast<std::size_t>(e - base),
                                         track_functions ? functions.current_function() : 0,
                                         track_functions && functions.needs_statement()});
          } else if (::memmem(b, len, header_keyword.data(), header_keyword.size())) {
            out.block_comments.push_back(
                {static_cast<std::size_t>(b - base), static_cast<std::size_t>(e - base), 0, false});
          }
          return;
        }
        if (track_functions) {
          const std::string_view spelling(b, static_cast<std::size_t>(e - b));
          functions.token(tok, spelling);
        }
      });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scanning.

class scanner {
 public:
  scanner(std::string_view path, const std::string& text, const options& opts)
      : path_(path), text_(text), opts_(opts), lines_(text) {}

  scan_result run() {
    const lexed_file lexed = lex_file(text_, opts_.c_language, /*track_functions=*/true);
    for (const comment& c : lexed.block_comments)
      check_block_comment(c);
    const auto& cs = lexed.line_comments;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!is_header(cs[i]))
        continue;
      i = parse_block(cs, i);
    }
    return std::move(result_);
  }

 private:
  std::string_view comment_text(const comment& c) const {
    return std::string_view(text_).substr(c.begin, c.end - c.begin);
  }
  // The text after `//`, with leading blanks removed, starts with "failpoint:".
  bool is_header(const comment& c) const {
    std::string_view t = trim_left(comment_text(c).substr(2));
    return t.substr(0, header_keyword.size()) == header_keyword;
  }
  bool is_spliced(const comment& c) const {
    std::string_view t = comment_text(c);
    return t.find_first_of("\r\n") != std::string_view::npos;
  }
  // Only blanks before the comment on its line, and the line does not continue the previous one.
  bool is_own_line(const comment& c, unsigned line) const {
    for (std::size_t p = lines_.begin(line); p < c.begin; ++p) {
      if (!is_hspace(text_[p]))
        return false;
    }
    if (line > 1) {
      std::string_view prev = trim_right(lines_.content(line - 1));
      if (!prev.empty() && prev.back() == '\\')
        return false;
    }
    return true;
  }

  void error(std::size_t offset, std::string message) {
    result_.diagnostics.push_back(make(severity::error, offset, std::move(message)));
  }
  diagnostic make(severity level, std::size_t offset, std::string message) const {
    diagnostic d;
    d.level = level;
    d.file = std::string(path_);
    d.line = lines_.line_of(offset);
    d.column = static_cast<unsigned>(offset - lines_.begin(d.line)) + 1;
    d.message = std::move(message);
    d.source_line = std::string(lines_.content(d.line));
    return d;
  }

  // header ::= '//' ws* 'failpoint:' ws+ ( 'var' ws+ NAME (ws+ TYPE)? | LABEL ':' ) ws*
  // Returns the index of the last comment that belongs to the block.
  std::size_t parse_block(const std::vector<comment>& cs, std::size_t i) {
    const comment& h = cs[i];
    const unsigned line = lines_.line_of(h.begin);
    const std::string_view text = comment_text(h);
    const std::size_t kw = text.find(header_keyword);
    const std::size_t after = h.begin + kw + header_keyword.size();

    block b;
    b.first_line = b.last_line = line;
    b.column = static_cast<unsigned>(h.begin - lines_.begin(line)) + 1;
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

    std::string_view rest = text.substr(kw + header_keyword.size());
    std::string_view words = trim_left(rest);
    std::size_t pos = after + (rest.size() - words.size());  // file offset of `words`
    std::size_t n = 0;
    while (n < words.size() && is_ident_char(words[n]))
      ++n;
    const std::string_view first_word = words.substr(0, n);
    const std::string_view after_word = words.substr(n);

    if (first_word == "var" && (after_word.empty() || is_hspace(after_word[0]))) {
      // 'var' ws+ NAME (ws+ TYPE)?
      std::string_view name_part = trim_left(after_word);
      const std::size_t name_pos = pos + n + (after_word.size() - name_part.size());
      std::size_t m = 0;
      while (m < name_part.size() && !is_hspace(name_part[m]))
        ++m;
      const std::string_view name = name_part.substr(0, m);
      if (name.empty()) {
        error(name_pos, "failpoint header has no name; expected 'var NAME [TYPE]'");
        ok = false;
      } else if (!valid_identifier(name)) {
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
        if (!normalize_type(trim_right(type_part), type_pos, &b.type))
          ok = false;
      }
      b.kind = b.type.empty() ? block_kind::no_value : block_kind::value;
    } else if (n > 0 && !after_word.empty() && after_word[0] == ':' &&
               trim(after_word.substr(1)).empty()) {
      // LABEL ':'
      b.kind = block_kind::label;
      b.name = std::string(first_word);
      if (!valid_identifier(first_word)) {
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

    // body ::= the `//` lines right below, each on its own line, up to the next header
    std::size_t j = i;
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
        std::string code;
        if (!body_code(c, &code))
          ok = false;
        b.body.push_back(std::move(code));
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
        result_.diagnostics.push_back(
            make(severity::note, it->second, "previous label '" + b.name + "' is here"));
        ok = false;
      }
    }
    if (ok && b.kind != block_kind::label) {
      type_registry* types = opts_.types != nullptr ? opts_.types : &types_;
      diagnostic here = make(severity::error, h.begin, "");
      diagnostic first;
      const std::string full = full_name(opts_, b);
      if (!types->check(full, b.type, here, &first)) {
        here.message = "failpoint '" + full + "' declared with type '" + show_type(b.type) +
                       "' here but with type '" + show_type(first_type(first)) + "' elsewhere";
        result_.diagnostics.push_back(here);
        first.level = severity::note;
        first.message = "failpoint '" + full + "' first declared here";
        result_.diagnostics.push_back(first);
        ok = false;
      }
    }
    if (ok)
      result_.blocks.push_back(std::move(b));
    return j;
  }

  static std::string show_type(const std::string& t) { return t.empty() ? "(no value)" : t; }
  // type_registry stores the first type in the note's message slot (see type_registry::check).
  static std::string first_type(const diagnostic& first) { return first.message; }

  static bool valid_identifier(std::string_view s) {
    if (s.empty() || !is_ident_start(s[0]))
      return false;
    for (char c : s) {
      if (!is_ident_char(c))
        return false;
    }
    return true;
  }

  // body ::= '//' CODE | '//' ws* '//' TEXT. CODE loses leading blanks and a trailing comment.
  bool body_code(const comment& c, std::string* code) {
    const std::string_view after = comment_text(c).substr(2);
    const std::string_view t = trim_left(after);
    if (t.substr(0, 2) == "//") {  // an ordinary comment kept in the body
      code->clear();
      return true;
    }
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
      return false;
    // The raw lexer skips an unterminated /* comment silently: it is whatever follows the last
    // token.
    if (const std::string_view tail = trim_left(std::string_view(buffer).substr(any_end));
        !tail.empty()) {
      error(offset + buffer.size() - tail.size(),
            "unterminated /* comment in a failpoint body line");
      return false;
    }
    if (first == std::string::npos) {
      code->clear();
    } else {
      // Keep comments between tokens; drop a trailing one (it stays in the marker).
      *code = buffer.substr(0, last);
    }
    return true;
  }

  // TYPE: names, keywords, `::`, template arguments, `*`, `&`, `&&`, decltype(...).
  // Writes the canonical spelling: tokens joined, one blank between two words and after `,`.
  bool normalize_type(std::string_view type, std::size_t offset, std::string* out) {
    const std::string buffer(type);
    std::string canon;
    int angle = 0;
    std::vector<clang::tok::TokenKind> brackets;  // open ( and [
    clang::tok::TokenKind prev = clang::tok::unknown;
    std::string_view prev_spelling;
    std::string problem;
    std::size_t problem_at = 0;
    bool trailing_comment = false;
    lex(buffer.data(), buffer.data() + buffer.size(), opts_.c_language,
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
    if (!problem.empty()) {
      error(offset + problem_at,
            "malformed failpoint type '" + std::string(trim(type)) + "': " + problem);
      return false;
    }
    *out = std::move(canon);
    return true;
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
        for (std::size_t i = lines_.begin(line); i < c.begin; ++i) {
          if (!is_hspace(text_[i]))
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

  std::string_view path_;
  const std::string& text_;
  const options& opts_;
  line_table lines_;
  scan_result result_;
  type_registry types_;
  std::map<unsigned, std::map<std::string, std::size_t>> labels_;  // function -> label -> offset
};

// ---------------------------------------------------------------------------------------------
// Rendering.

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

// The enabled text of each line of a block, without the indentation.
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
      lines.push_back("if (auto " + std::string(hit_variable) + " = FAILPOINT_VALUE(" + name +
                      ", " + b.type + ")) { " + b.type + " " + b.name + " = *" +
                      std::string(hit_variable) + "; (void)" + b.name + ";" +
                      (b.body.empty() ? " }" : ""));
      break;
  }
  for (std::size_t i = 0; i < b.body.size(); ++i) {
    std::string code = b.body[i];
    if (i + 1 == b.body.size())
      code += code.empty() ? "}" : " }";
    lines.push_back(std::move(code));
  }
  return lines;
}

// One enabled line: indentation, code, the marker, the original comment.
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

// Replaces lines of `text` (1-based line -> new content); the line ends are kept.
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

bool has_include_lines(const line_table& lines) {
  return lines.count() >= 2 && lines.content(1) == include_line &&
         lines.content(2) == line_directive;
}

rewrite_result failure(std::vector<diagnostic> diags) {
  rewrite_result r;
  r.ok = false;
  r.diagnostics = std::move(diags);
  return r;
}

// Applies the rendering of every block to `text`.
std::string apply_blocks(const std::string& text, const line_table& lines,
                         const std::vector<block>& blocks, const options& opts) {
  std::map<unsigned, std::string> replacements;
  for (const block& b : blocks) {
    const std::vector<std::string> code = render_code(b, opts);
    for (unsigned l = b.first_line; l <= b.last_line; ++l) {
      const std::string_view content = lines.content(l);
      const std::size_t slash = content.find("//");
      replacements.emplace(
          l, render_line(content.substr(0, slash), code[l - b.first_line], content.substr(slash)));
    }
  }
  return replace_lines(text, lines, replacements);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public functions.

bool type_registry::check(const std::string& full_name, const std::string& type,
                          const diagnostic& where, diagnostic* first) {
  auto [it, inserted] = seen_.emplace(full_name, std::make_pair(type, where));
  if (inserted || it->second.first == type)
    return true;
  *first = it->second.second;
  first->message = it->second.first;  // the first type; the caller writes the real message
  return false;
}

bool scan_result::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(),
                      [](const diagnostic& d) { return d.level == severity::error; });
}

std::string format(const diagnostic& d) {
  std::string out = d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " +
                    (d.level == severity::error ? "error: " : "note: ") + d.message + "\n";
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

scan_result scan(std::string_view path, const std::string& text, const options& opts) {
  if (!contains(text, header_keyword))
    return {};
  return scanner(path, text, opts).run();
}

rewrite_result enable(std::string_view path, const std::string& text, const options& opts) {
  scan_result s = scan(path, text, opts);
  if (!s.ok())
    return failure(std::move(s.diagnostics));
  // Lines enabled before must be restorable: a damaged one is refused here as disable would
  // refuse it, so that whatever enable accepts, disable can undo (found by fuzz_rewriter).
  if (contains(text, "//@failpoint")) {
    rewrite_result check = disable(path, text, opts);
    if (!check.ok)
      return check;
  }
  rewrite_result r;
  if (s.blocks.empty()) {
    r.text = text;
    return r;
  }
  const line_table lines(text);
  std::string body = apply_blocks(text, lines, s.blocks, opts);
  if (!has_include_lines(lines)) {
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
  r.changed = body != text;
  r.text = std::move(body);
  return r;
}

rewrite_result disable(std::string_view path, const std::string& text, const options& opts) {
  rewrite_result r;
  if (!contains(text, "//@failpoint")) {
    r.text = text;
    return r;
  }
  const line_table lines(text);
  std::vector<diagnostic> diags;
  auto diag_at = [&](severity level, unsigned line, unsigned column, std::string message) {
    diagnostic d;
    d.level = level;
    d.file = std::string(path);
    d.line = line;
    d.column = column;
    d.message = std::move(message);
    d.source_line = std::string(lines.content(line));
    diags.push_back(std::move(d));
  };

  const bool has_include = has_include_lines(lines);
  const unsigned shift = has_include ? 2 : 0;

  // Every marker comment gives back its line's original text: indentation + comment.
  std::map<unsigned, std::string> restored;  // line in `text` -> original content
  const lexed_file lexed = lex_file(text, opts.c_language, /*track_functions=*/false);
  for (const comment& c : lexed.line_comments) {
    const std::string_view t = std::string_view(text).substr(c.begin, c.end - c.begin);
    const unsigned line = lines.line_of(c.begin);
    const unsigned column = static_cast<unsigned>(c.begin - lines.begin(line)) + 1;
    if (t.substr(0, include_marker_comment.size()) == include_marker_comment) {
      if (!(has_include && line == 1))
        diag_at(severity::error, line, column,
                "the failpoint include line was edited or moved; expected '" +
                    std::string(include_line) + "' on line 1 followed by '#line 1'");
      continue;
    }
    if (t.substr(0, marker.size()) != marker)
      continue;
    const std::string_view original = t.substr(marker.size());
    const std::string_view prefix =
        std::string_view(text).substr(lines.begin(line), c.begin - lines.begin(line));
    if (original.substr(0, 2) != "//" || prefix.empty() || prefix.back() != ' ' ||
        t.find_first_of("\r\n") != std::string_view::npos) {
      diag_at(severity::error, line, column,
              "malformed failpoint marker; expected '<code> //@failpoint //<original comment>'");
      continue;
    }
    std::size_t n = 0;
    while (n + 1 < prefix.size() && is_hspace(prefix[n]))
      ++n;
    std::string line_text(prefix.substr(0, n));
    line_text.append(original);
    restored.emplace(line, std::move(line_text));
  }
  if (!diags.empty())
    return failure(std::move(diags));
  if (restored.empty() && !has_include) {
    r.text = text;
    return r;
  }

  // The candidate: markers replaced by their comments, the include lines dropped.
  std::string candidate = replace_lines(text, lines, restored);
  if (has_include) {  // lines 1 and 2 hold no marker, so their offsets are unchanged
    candidate.erase(lines.begin(1), lines.end(2) - lines.begin(1));
  }

  // Verification: enabling the candidate must give back exactly the enabled lines.
  options verify = opts;
  verify.types = nullptr;
  const scan_result s = scan(path, candidate, verify);
  for (diagnostic d : s.diagnostics) {
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
      diag_at(severity::error, l, 1,
              "this line is inside an enabled failpoint block but is not enabled; the block "
              "was edited and cannot be restored exactly");
    }
    const std::vector<std::string> code = render_code(b, verify);
    for (unsigned l = b.first_line; l <= b.last_line; ++l) {
      const unsigned el = l + shift;
      if (!restored.count(el))
        continue;
      const std::string_view original = candidate_lines.content(l);
      const std::size_t slash = original.find("//");
      const std::string expected =
          render_line(original.substr(0, slash), code[l - b.first_line], original.substr(slash));
      if (expected != lines.content(el)) {
        const std::string_view actual = lines.content(el);
        std::size_t col = 0;
        while (col < actual.size() && col < expected.size() && actual[col] == expected[col])
          ++col;
        diag_at(severity::error, el, static_cast<unsigned>(col) + 1,
                "enabled failpoint line was edited and cannot be restored exactly");
        diagnostic note;
        note.level = severity::note;
        note.file = std::string(path);
        note.line = el;
        note.column = static_cast<unsigned>(col) + 1;
        note.message =
            "expected this line to read (with --prefix '" + opts.prefix + "'): " + expected;
        diags.push_back(std::move(note));
      }
      verified.insert(el);
    }
  }
  for (const auto& [line, original] : restored) {
    if (verified.count(line))
      continue;
    const std::string_view t = trim_left(trim_left(original).substr(2));
    const bool header = t.substr(0, header_keyword.size()) == header_keyword;
    const std::size_t col = lines.content(line).find(marker);
    diag_at(severity::error, line, static_cast<unsigned>(col) + 1,
            header ? "enabled failpoint header cannot be restored exactly"
                   : "failpoint body line before any header (its enabled header was removed "
                     "or edited)");
  }
  const bool ok = std::none_of(diags.begin(), diags.end(),
                               [](const diagnostic& d) { return d.level == severity::error; });
  if (!ok)
    return failure(std::move(diags));
  r.changed = candidate != text;
  r.text = std::move(candidate);
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
  return r;
}

namespace {
std::string_view extension(std::string_view path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return {};
  return path.substr(dot);
}
}  // namespace

bool is_source_path(std::string_view path) {
  static constexpr std::string_view exts[] = {".c",  ".cc",  ".cpp", ".cxx", ".h",
                                              ".hh", ".hpp", ".hxx", ".ipp", ".inl"};
  const std::string_view e = extension(path);
  return std::find(std::begin(exts), std::end(exts), e) != std::end(exts);
}

bool is_c_path(std::string_view path) {
  return extension(path) == ".c";
}

}  // namespace rewrite
}  // namespace failpoint
