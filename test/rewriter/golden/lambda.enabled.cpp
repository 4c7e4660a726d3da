#include <vector>
#include <algorithm>
#include <failpoint/failpoint.hpp> //@failpoint-include:
int count(const std::vector<int>& v) {
  return static_cast<int>(std::count_if(v.begin(), v.end(), [](int x) {
    if (auto failpoint_hit_ = FAILPOINT_VALUE("LambdaSkip", bool)) { bool LambdaSkip = *failpoint_hit_; (void)LambdaSkip; //@failpoint // failpoint: var LambdaSkip bool
    if (LambdaSkip) return false; } //@failpoint // if (LambdaSkip) return false;
    return x > 0;
  }));
}
