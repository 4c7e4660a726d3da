#include <string>
#include <failpoint/failpoint.hpp> //@failpoint-include:
void f() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Str", const char*)) { const char* Str = *failpoint_hit_; (void)Str; } //@failpoint // failpoint: var Str const char*
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Count", unsigned long long)) { unsigned long long Count = *failpoint_hit_; (void)Count; } //@failpoint // failpoint: var Count   unsigned  long long
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Text", std::basic_string<char, std::char_traits<char>>)) { std::basic_string<char, std::char_traits<char>> Text = *failpoint_hit_; (void)Text; } //@failpoint // failpoint: var Text std::basic_string<char,std::char_traits<char>>
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Qualified", ::std::string)) { ::std::string Qualified = *failpoint_hit_; (void)Qualified; //@failpoint // failpoint: var Qualified ::std::string // a trailing comment
  (void)Qualified.size(); } //@failpoint // (void)Qualified.size();
}
