void f() {
  // failpoint: enable SaveFails
  return;
}
