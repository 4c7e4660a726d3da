int f() {
  // failpoint: var Prefixed int
  // return Prefixed;
  return 0;
}
