#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
template <class T>
T clamp_or_fail(T v) {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("ClampFails", int)) { int ClampFails = *failpoint_hit_; (void)ClampFails; //@failpoint // failpoint: var ClampFails int
  return static_cast<T>(ClampFails); } //@failpoint // return static_cast<T>(ClampFails);
  return v < T{} ? T{} : v;
}

int use() { return clamp_or_fail(3) + static_cast<int>(clamp_or_fail(2.5)); }
