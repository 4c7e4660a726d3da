void f() {
  // Failpoint: var Capital
  f();
}
