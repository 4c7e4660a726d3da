/*
 * A license in a block comment: the blank line inside it is not a place for the include.

 */

#include <vector>

int first(const std::vector<int>& v) {
  // failpoint: var FirstFails int
  // return FirstFails;
  return v.empty() ? 0 : v[0];
}
