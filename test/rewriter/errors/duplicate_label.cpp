void f() {
  // failpoint: AGAIN:
  int a = 0;
  (void)a;
  // failpoint: AGAIN:
  int b = 0;
  (void)b;
}
