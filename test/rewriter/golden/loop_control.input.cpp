int sum(int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    // failpoint: var SkipOne
    // continue;
    // failpoint: var StopEarly
    // break;
    s += i;
  }
  return s;
}
