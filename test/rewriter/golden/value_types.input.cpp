#include <string>

void f() {
  // failpoint: var Str const char*
  // failpoint: var Count   unsigned  long long
  // failpoint: var Text std::basic_string<char,std::char_traits<char>>
  // failpoint: var Qualified ::std::string // a trailing comment
  // (void)Qualified.size();
}
