/*
 * A license in a block comment: the blank line inside it is not a place for the include.

 */
#include <failpoint/failpoint.hpp> //@failpoint-include:
#include <vector>

int first(const std::vector<int>& v) {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("FirstFails", int)) { int FirstFails = *failpoint_hit_; (void)FirstFails; //@failpoint // failpoint: var FirstFails int
  return FirstFails; } //@failpoint // return FirstFails;
  return v.empty() ? 0 : v[0];
}
