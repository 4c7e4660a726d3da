#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
#ifndef GUARDED_H
#define GUARDED_H

inline int guarded() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Guarded", int)) { int Guarded = *failpoint_hit_; (void)Guarded; //@failpoint // failpoint: var Guarded int
  return Guarded; } //@failpoint // return Guarded;
  return 0;
}

#endif
