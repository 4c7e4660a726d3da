#if defined(FAST) && (FAST > 1)
#define SPEED 2
#endif
int f(int a) {
  if (a) {
    // failpoint: var InBraces int
    // return InBraces;
  } else {
    // failpoint: var InElse
  }
  for (int i = 0; i < a; ++i)
    a += i;
  // failpoint: var AfterUnbracedFor
  while (a > 100) a /= 2;
  // failpoint: var AfterWhile
#if (1)
  // failpoint: var AfterDirective
#endif
  switch (a) {
    case 1:
      // failpoint: var InCase
      break;
    default:
      break;
  }
  return a;
}
