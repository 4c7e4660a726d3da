int f() {
  // failpoint: var X int[4]
  return 0;
}
