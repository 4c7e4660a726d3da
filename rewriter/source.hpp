// rewriter/source.hpp: the text of one file as the rewriter sees it: its lines (line_table),
// Clang's raw lexer over it (lex), and the character and word classes the grammar uses.
// Everything here is pure and thread-compatible.
#ifndef FAILPOINT_REWRITER_SOURCE_HPP
#define FAILPOINT_REWRITER_SOURCE_HPP

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <vector>

#include <clang/Basic/LangOptions.h>
#include <clang/Basic/SourceLocation.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/Token.h>

namespace failpoint {
namespace rewrite {

// Blanks inside a line (the grammar's `ws`).
inline bool is_hspace(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}
inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);
std::string_view trim(std::string_view s);
// Whether `haystack` holds `needle` (memmem: the fast path for files without failpoints).
bool contains(std::string_view haystack, std::string_view needle);
// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(std::string_view s);
// A C++20 keyword (as Clang's identifier table knows them, alternative tokens included).
bool is_keyword(std::string_view word);

// The lines of a text. Line ends are "\n", "\r\n" or a lone "\r", as for the compiler; line 1
// starts after a UTF-8 byte order mark. Lines are 1-based; offsets index the whole text.
class line_table {
 public:
  explicit line_table(std::string_view text);

  std::size_t bom() const { return bom_; }
  unsigned count() const { return static_cast<unsigned>(starts_.size()); }
  // First byte of the line.
  std::size_t begin(unsigned line) const { return starts_[line - 1]; }
  // One past the line's end of line.
  std::size_t end(unsigned line) const { return line < count() ? starts_[line] : text_.size(); }
  // One past the line's last byte before its end of line.
  std::size_t content_end(unsigned line) const;
  std::string_view content(unsigned line) const {
    return text_.substr(begin(line), content_end(line) - begin(line));
  }
  std::string_view eol(unsigned line) const {
    return text_.substr(content_end(line), end(line) - content_end(line));
  }
  // The line that holds `offset`.
  unsigned line_of(std::size_t offset) const;
  // 1-based byte column of `offset` on its line.
  unsigned column_of(std::size_t offset) const {
    return static_cast<unsigned>(offset - begin(line_of(offset))) + 1;
  }
  // The line continues the previous one (the previous line ends with a backslash).
  bool is_continuation(unsigned line) const;

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
  std::size_t bom_ = 0;
};

// The language the raw lexer uses: C17 for `.c` files, C++20 otherwise (so that digit
// separators, raw strings, u8'' and <=> lex as the compiler sees them).
const clang::LangOptions& language(bool c_language);

// Calls fn(token, begin, end) for every token of the buffer [begin, end), comments included;
// when fn returns a bool, false stops the pass. `end` must point at a NUL (std::string's
// terminator does). Costs one raw-lexer pass.
template <class Fn>
void lex(const char* begin, const char* end, bool c_language, Fn&& fn) {
  clang::Lexer lexer(clang::SourceLocation(), language(c_language), begin, begin, end);
  lexer.SetCommentRetentionState(true);
  clang::Token tok;
  for (;;) {
    lexer.LexFromRawLexer(tok);
    if (tok.is(clang::tok::eof))
      break;
    const char* tok_end = lexer.getBufferLocation();
    if constexpr (std::is_same_v<decltype(fn(tok, begin, end)), bool>) {
      if (!fn(tok, tok_end - tok.getLength(), tok_end))
        break;
    } else {
      fn(tok, tok_end - tok.getLength(), tok_end);
    }
  }
}

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_SOURCE_HPP
