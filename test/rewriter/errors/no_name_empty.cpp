void f() {
  // failpoint:
  return;
}
