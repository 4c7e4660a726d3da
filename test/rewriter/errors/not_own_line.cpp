int f(int x) {
  x++; // failpoint: var Trailing
  return x;
}
