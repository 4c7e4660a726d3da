// rewriter/rewriter.hpp: the logic of failpoint-rewrite, as a library (the tool is a thin main).
//
// A failpoint is written as comments, which a normal build compiles as comments:
//
//   block    ::= header body*                       consecutive lines, each `//` on its own line
//   header   ::= '//' ws* 'failpoint:' ws+ 'var' ws+ NAME (ws+ TYPE)? ws*
//              | '//' ws* 'failpoint:' ws+ LABEL ':' ws*
//   body     ::= '//' CODE                          any `//` line right after the header that is
//                                                   not itself a header
//              | '//' ws* '//' TEXT                 an ordinary comment kept inside the body
//   NAME, LABEL ::= [A-Za-z_][A-Za-z0-9_]*          not a C++ keyword
//   TYPE     ::= a C++ type-id: names, `::`, `<...>`, `*`, `&`, `&&`, cv-qualifiers, decltype(...)
//
// Enabling turns each line of a block into code on the same line, followed by a marker comment
// that carries the original comment byte for byte, so that disabling restores it exactly. For
// `// failpoint: var N T` with one body line `// return N;` the two lines become
//
//   <ws>if (auto failpoint_hit_ = FAILPOINT_VALUE("<prefix>N", T)) { T N = *failpoint_hit_;
//       (void)N; //@failpoint // failpoint: var N T                     (one line, wrapped here)
//   <ws>return N; } //@failpoint // return N;
//
// Without a type the header is `if (FAILPOINT("<prefix>N")) {`, without a body the block is one
// line ending in ` }` (or `{}`), and a label line becomes `LABEL:;`.
//
// All functions here are pure (text in, text out) and thread-compatible; files and the command
// line are in files.hpp and tool/main.cpp.
#ifndef FAILPOINT_REWRITER_REWRITER_HPP
#define FAILPOINT_REWRITER_REWRITER_HPP

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace failpoint {
namespace rewrite {

// The marker comment that ends every enabled line; the original comment follows it.
inline constexpr std::string_view marker = "//@failpoint ";
// The first line an in-place `enable` adds (after a UTF-8 BOM, if any); the second is `#line 1`.
inline constexpr std::string_view include_line =
    "#include <failpoint/failpoint.hpp> //@failpoint-include";
// The variable that holds a FAILPOINT_VALUE hit; a failpoint may not be named so.
inline constexpr std::string_view hit_variable = "failpoint_hit_";

enum class severity { error, note };

// One message in the compiler's format. Lines and columns are 1-based; columns count bytes.
struct diagnostic {
  severity level = severity::error;
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
  std::string source_line;  // the line's text without its end of line; empty: no caret is shown
};

// Formats `file:line:col: error: message`, then the source line and a caret under the column.
std::string format(const diagnostic& d);

enum class block_kind { value, no_value, label };

// One failpoint (or label) found in a file.
struct block {
  block_kind kind = block_kind::no_value;
  std::string name;  // NAME or LABEL as written
  std::string type;  // normalized spelling (tokens joined canonically); empty without a value
  unsigned first_line = 0;  // 1-based line of the header
  unsigned last_line = 0;   // 1-based line of the last body line (== first_line without a body)
  unsigned column = 0;      // 1-based column of the header's `//`
  std::vector<std::string> body;      // code of each body line; "" for a `// // text` line
  std::vector<std::string> comments;  // each line's original comment, from `//` to end of line
};

// What is checked across files: one name, one type. Keeps the first declaration of each name.
class type_registry {
 public:
  // Records NAME with TYPE at `where`; returns false (and fills `first`) when NAME was seen
  // before with another type.
  bool check(const std::string& full_name, const std::string& type, const diagnostic& where,
             diagnostic* first);

 private:
  std::map<std::string, std::pair<std::string, diagnostic>> seen_;
};

struct options {
  std::string prefix;              // prepended to every NAME to make the failpoint's full name
  bool c_language = false;         // lex as C (for .c files) instead of C++
  type_registry* types = nullptr;  // shared across files; a per-scan registry when null
};

struct scan_result {
  std::vector<block> blocks;
  std::vector<diagnostic> diagnostics;
  bool ok() const;
};

// Finds the failpoint blocks of `text` (the contents of `path`) and reports malformed ones.
// Costs one memmem when the text has no "failpoint:" and one raw-lexer pass otherwise.
scan_result scan(std::string_view path, const std::string& text, const options& opts);

struct rewrite_result {
  bool ok = true;        // false: `diagnostics` says why and `text` is meaningless
  bool changed = false;  // the output differs from the input
  std::string text;
  std::vector<diagnostic> diagnostics;
};

// In-place form: rewrites every block and adds the include and `#line 1` lines once.
// Enabling an enabled file changes nothing.
rewrite_result enable(std::string_view path, const std::string& text, const options& opts);

// Restores the comments of an enabled text. Every enabled line is checked by regenerating it
// from the comment it carries; any difference is an error and nothing is restored.
rewrite_result disable(std::string_view path, const std::string& text, const options& opts);

// Out-of-tree form: the include, `#line 1 "<original_path>"`, then the rewritten text (a UTF-8
// BOM stays first). Always produces a text, with or without failpoints.
rewrite_result generate(std::string_view original_path, const std::string& text,
                        const options& opts);

// The full name a block's failpoint has at run time.
inline std::string full_name(const options& opts, const block& b) {
  return opts.prefix + b.name;
}

// Whether a path names a source file the directory walk picks up (.c .cc .cpp .cxx .h .hh .hpp
// .hxx .ipp .inl), and whether it is C rather than C++.
bool is_source_path(std::string_view path);
bool is_c_path(std::string_view path);

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_REWRITER_HPP
