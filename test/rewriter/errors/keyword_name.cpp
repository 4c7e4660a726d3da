int f() {
  // failpoint: var return int
  return 0;
}
