void f() {
  // failpoint var NoColon
  // failpoint : var SpaceBeforeColon
  f();
}
