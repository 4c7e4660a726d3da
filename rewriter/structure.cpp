// rewriter/structure.cpp: the brace tracker (see structure.hpp).
#include "rewriter/structure.hpp"

namespace failpoint {
namespace rewrite {

void function_tracker::token(clang::tok::TokenKind k, bool at_line_start,
                             std::string_view spelling) {
  if (k == clang::tok::comment)
    return;
  // Preprocessor directive lines do not take part (their `(` and `{` are not code).
  if (at_line_start)
    in_directive_ = k == clang::tok::hash;
  if (in_directive_)
    return;
  const bool control_close = k == clang::tok::r_paren && !parens_.empty() && parens_.back().control;
  switch (k) {
    case clang::tok::raw_identifier:
      if (spelling == "namespace")
        seen_namespace_ = true;
      if (spelling == "class" || spelling == "struct" || spelling == "union" || spelling == "enum")
        seen_class_key_ = true;
      break;
    case clang::tok::equal:
      if (parens_.empty())
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
  previous_ = k;
  previous_spelling_ = spelling;
  needs_statement_ = control_close ||
                     (k == clang::tok::raw_identifier && (spelling == "else" || spelling == "do"));
}

unsigned function_tracker::current_function() const {
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
    if (it->first == scope::function)
      return it->second;
  }
  return 0;
}

bool function_tracker::at_declaration_scope() const {
  return stack_.empty() || stack_.back().first == scope::namespace_ ||
         stack_.back().first == scope::class_;
}

void function_tracker::open_brace() {
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

void function_tracker::reset() {
  seen_namespace_ = seen_class_key_ = seen_equal_ = seen_paren_ = lambda_ = false;
  parens_.clear();
}

}  // namespace rewrite
}  // namespace failpoint
