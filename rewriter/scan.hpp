// rewriter/scan.hpp: finding the failpoints of a file, and the one normative grammar of the
// comment syntax. README.md ("Syntax") and docs/rewriter.md show this grammar and point here;
// test/rewriter/rewriter_test.cpp checks that the README's copy is this one.
//
// A failpoint is written as `//` comments, which a normal build compiles as comments.
//
// <grammar>
// block        ::= var-header body* | label-header
// var-header   ::= '//' ws* KEYWORD ws* 'var' ws+ NAME (ws+ TYPE)? ws*
// label-header ::= '//' ws* KEYWORD ws* LABEL ':' ws*
// KEYWORD      ::= 'failpoint:'             not followed by ':' (`// failpoint::x` is prose)
// body         ::= '//' ws* CODE         every `//` line right below the header, up to the
//                                        first line that is not a `//` comment alone on its
//                                        line, or that is itself a header
//                | '//' ws* '//' TEXT    a comment kept inside the body (no code)
// NAME         ::= [A-Za-z_][A-Za-z0-9_]*   not a C++ keyword, not `failpoint_hit_`
// LABEL        ::= [A-Za-z_][A-Za-z0-9_]*   not a C++ keyword
// TYPE         ::= a C++ type-id: names, keywords, '::', '<' ARGS '>', '*', '&', '&&',
//                  decltype(...); a trailing '//' or '/* */' comment is not part of it
// CODE         ::= C++ tokens; a trailing comment is not part of it
// ws           ::= ' ' | '\t' | '\f' | '\v'
// </grammar>
//
// Where a block may stand: each of its comments alone on its line (only blanks before `//`, no
// backslash at the end), not as the only statement of an unbraced if/for/while/switch/else/do,
// and not on the last line of the file; anything else is an error. A header inside a `/* */`
// comment is an error (it would never be rewritten). Labels are unique per function. A block
// belongs inside a function body; elsewhere it gets a warning (its code would not compile).
//
// Warnings (the file is still rewritten, unless options::warnings_as_errors): a body line that
// reads like prose, a body that does not end a statement, text after TYPE that no C++ type has,
// a block outside every function, and a comment that looks like a header but is not one
// (`// Failpoint:`, `/// failpoint:`, `// gofail:`, `// failpoint var`).
#ifndef FAILPOINT_REWRITER_SCAN_HPP
#define FAILPOINT_REWRITER_SCAN_HPP

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rewriter/diagnostic.hpp"
#include "rewriter/result.hpp"

namespace failpoint {
namespace rewrite {

enum class block_kind { value, no_value, label };

// One failpoint (or label) found in a file.
struct block {
  block_kind kind = block_kind::no_value;
  std::string name;         // NAME or LABEL as written
  std::string type;         // normalized spelling (see normalize_type); empty without a value
  unsigned first_line = 0;  // 1-based line of the header
  unsigned last_line = 0;   // 1-based line of the last body line (== first_line without a body)
  unsigned column = 0;      // 1-based column of the header's `//`
  std::vector<std::string> body;      // code of each body line; "" for a `// // text` line
  std::vector<std::string> comments;  // each line's original comment, from `//` to end of line
};

// One name, one type: remembers the first declaration of each full name.
class type_registry {
 public:
  struct declaration {
    std::string type;
    diagnostic where;
  };
  // Records `full_name` with `type` declared at `where`. Returns the earlier declaration when
  // the name was seen before with another type, null otherwise.
  const declaration* check(const std::string& full_name, const std::string& type,
                           const diagnostic& where);

 private:
  std::map<std::string, declaration> seen_;
};

struct options {
  std::string prefix;               // prepended to every NAME to make the failpoint's full name
  bool c_language = false;          // lex as C (for .c files) instead of C++
  bool warnings_as_errors = false;  // report warnings as errors (and so rewrite nothing)
  type_registry* types = nullptr;   // shared across files; a per-scan registry when null
};

struct scan_result {
  std::vector<block> blocks;
  std::vector<diagnostic> diagnostics;  // errors, warnings and their notes, in file order
  bool ok() const { return !has_error(diagnostics); }
};

// Finds the failpoint blocks of `text` (the contents of `path`) and reports malformed ones.
// Costs three memmem passes when the text mentions no failpoint (nor a near-miss spelling) and
// one raw-lexer pass otherwise.
scan_result scan(std::string_view path, const std::string& text, const options& opts);

// The canonical spelling of a TYPE: tokens joined, one blank between two words and after `,`
// (`unsigned  long long` -> `unsigned long long`, `std::map<int,int>` -> `std::map<int, int>`).
// An error says what is wrong and at which byte of `type`; its message does not name the file.
struct normalized_type {
  std::string spelling;
  // Offset in `type` of the first word that no C++ type-id has there (`int the limit`: the
  // offset of `the`), npos when there is none. The spelling still holds all of it.
  std::size_t prose_at = std::string::npos;
};
result<normalized_type> normalize_type(std::string_view type, bool c_language);

// The full name a block's failpoint has at run time.
inline std::string full_name(const options& opts, const block& b) {
  return opts.prefix + b.name;
}

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_SCAN_HPP
