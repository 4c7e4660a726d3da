#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
class store {
 public:
  bool put(int key) {
    if (FAILPOINT("PutFails")) { //@failpoint // failpoint: var PutFails
    return false; } //@failpoint // return false;
    last_ = key;
    return true;
  }
  int get() const;

 private:
  int last_ = 0;
};

int store::get() const {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("GetValue", int)) { int GetValue = *failpoint_hit_; (void)GetValue; //@failpoint // failpoint: var GetValue int
  return GetValue; } //@failpoint // return GetValue;
  return last_;
}
