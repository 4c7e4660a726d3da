int f(int x) {
  // failpoint: var Several int
  // int y = Several + 1;
  // if (y > x) {
  //   return y;
  // }
  return x;
}
