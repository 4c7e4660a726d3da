#include <string>

// Failpoint: the comments below are the right spelling, and this one is prose.
// failpoint::enable("X", "return") switches one from C++.
std::string f(int n) {
  // failpoint: var Name const std::string // the name to return
  // // an ordinary comment kept in the body
  // if (n > 0) {
  //   return Name;
  // }
  // failpoint: var Count unsigned long long
  // n = static_cast<int>(Count);
  // failpoint: var Ptr const char*
  // failpoint: AGAIN:
  // gofail: see README's "Differences from gofail"
  return std::to_string(n);
}
