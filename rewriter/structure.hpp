// rewriter/structure.hpp: which function body a token is in, from the raw token stream alone.
// Good enough to tell labels of one function from those of another (lambdas and local classes'
// member functions are functions of their own), to see that a comment is the only statement of
// an unbraced if/for/while/switch/else/do, and to see that it is outside every function.
// Pure and thread-compatible; unit-tested on its own in test/rewriter/structure_test.cpp.
#ifndef FAILPOINT_REWRITER_STRUCTURE_HPP
#define FAILPOINT_REWRITER_STRUCTURE_HPP

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include <clang/Basic/TokenKinds.h>

namespace failpoint {
namespace rewrite {

// What a `{` opens, decided from the tokens since the last `;`, `{` or `}`:
//   after `namespace ...`                          namespace_
//   after `class|struct|union|enum ...` without `(` class_
//   after `= ...` outside a function               init
//   after `)` outside a function, after `[...]`    function (lambdas too)
//   any other `{` inside a function                block
enum class scope { other, namespace_, class_, function, block, init };

class function_tracker {
 public:
  // Feeds the next token. `at_line_start`: the token is the first of its line (a `#` there
  // opens a preprocessor directive, whose tokens are left out). Comments may be fed: they change
  // nothing.
  void token(clang::tok::TokenKind kind, bool at_line_start, std::string_view spelling);

  // The function body the last token is in: 0 outside every function, otherwise a number that
  // is the same for every token of that body and different for every other body.
  unsigned current_function() const;

  // The last token was the `)` of if/for/while/switch, `else` or `do`: what follows is their
  // only statement.
  bool needs_statement() const { return needs_statement_; }

  // The last token is at namespace or class scope (or at file scope): a statement cannot go
  // there. Inside any other braces (a function, or braces the tracker cannot name) it is false.
  bool at_declaration_scope() const;

 private:
  void open_brace();
  void reset();

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
  bool seen_namespace_ = false;
  bool seen_class_key_ = false;
  bool seen_equal_ = false;
  bool seen_paren_ = false;
  bool lambda_ = false;
};

}  // namespace rewrite
}  // namespace failpoint

#endif  // FAILPOINT_REWRITER_STRUCTURE_HPP
