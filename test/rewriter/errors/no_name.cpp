void f() {
  // failpoint: var
  return;
}
