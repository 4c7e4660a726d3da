int f() {
  // failpoint: var Bom int
  // return Bom;
  return 0;
}
