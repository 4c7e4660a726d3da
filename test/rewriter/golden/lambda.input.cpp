#include <vector>
#include <algorithm>

int count(const std::vector<int>& v) {
  return static_cast<int>(std::count_if(v.begin(), v.end(), [](int x) {
    // failpoint: var LambdaSkip bool
    // if (LambdaSkip) return false;
    return x > 0;
  }));
}
