// rewriter/source.cpp: line table, language options and word classes (see source.hpp).
#include "rewriter/source.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <set>
#include <string>

#include <clang/Basic/IdentifierTable.h>

#include "rewriter/markers.hpp"

namespace failpoint {
namespace rewrite {

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

bool is_identifier(std::string_view s) {
  return !s.empty() && is_ident_start(s[0]) && std::all_of(s.begin(), s.end(), is_ident_char);
}

namespace {

clang::LangOptions make_language(bool c_language) {
  clang::LangOptions lo;
  lo.LineComment = 1;
  lo.DollarIdents = 1;
  lo.Digraphs = 1;
  if (c_language) {
    lo.C99 = 1;
    lo.C11 = 1;
    lo.C17 = 1;
  } else {
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

}  // namespace

const clang::LangOptions& language(bool c_language) {
  static const clang::LangOptions cxx = make_language(false);
  static const clang::LangOptions c = make_language(true);
  return c_language ? c : cxx;
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

line_table::line_table(std::string_view text) : text_(text) {
  bom_ = text.substr(0, utf8_bom.size()) == utf8_bom ? utf8_bom.size() : 0;
  starts_.reserve(text.size() / 32 + 1);
  starts_.push_back(bom_);
  const char* p = text.data();
  const std::size_t n = text.size();
  if (std::memchr(p + bom_, '\r', n - bom_) == nullptr) {
    // Only "\n" line ends (nearly every file): memchr finds them fast.
    const char* end = p + n;
    for (const char* q = p + bom_; (q = static_cast<const char*>(std::memchr(q, '\n', end - q)));) {
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

std::size_t line_table::content_end(unsigned line) const {
  std::size_t e = end(line);
  const std::size_t b = begin(line);
  if (e > b && text_[e - 1] == '\n')
    --e;
  if (e > b && text_[e - 1] == '\r')
    --e;
  return e;
}

unsigned line_table::line_of(std::size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return it == starts_.begin() ? 1u : static_cast<unsigned>(it - starts_.begin());
}

bool line_table::is_continuation(unsigned line) const {
  if (line <= 1)
    return false;
  const std::string_view prev = trim_right(content(line - 1));
  return !prev.empty() && prev.back() == '\\';
}

}  // namespace rewrite
}  // namespace failpoint
