void f() {
  // Failpoint: var Capital
  // FAILPOINT: AGAIN:
  // Fail_Point: var Underscore
  f();
}
