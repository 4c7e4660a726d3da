#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
#if defined(FAST) && (FAST > 1)
#define SPEED 2
#endif
int f(int a) {
  if (a) {
    if (auto failpoint_hit_ = FAILPOINT_VALUE("InBraces", int)) { int InBraces = *failpoint_hit_; (void)InBraces; //@failpoint // failpoint: var InBraces int
    return InBraces; } //@failpoint // return InBraces;
  } else {
    if (FAILPOINT("InElse")) {} //@failpoint // failpoint: var InElse
  }
  for (int i = 0; i < a; ++i)
    a += i;
  if (FAILPOINT("AfterUnbracedFor")) {} //@failpoint // failpoint: var AfterUnbracedFor
  while (a > 100) a /= 2;
  if (FAILPOINT("AfterWhile")) {} //@failpoint // failpoint: var AfterWhile
#if (1)
  if (FAILPOINT("AfterDirective")) {} //@failpoint // failpoint: var AfterDirective
#endif
  switch (a) {
    case 1:
      if (FAILPOINT("InCase")) {} //@failpoint // failpoint: var InCase
      break;
    default:
      break;
  }
  return a;
}
