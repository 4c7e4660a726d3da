void f() {
  // failpoint: var OneLineA
  // failpoint: var OneLineB
  // failpoint: var OneLineC int
  int x = 0;
  (void)x;
}
