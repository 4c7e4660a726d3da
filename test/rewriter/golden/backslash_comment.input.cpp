int f() {
  // a comment that continues \
  // failpoint: var NotAHeader int
  // failpoint: var AfterSplice
  // return 1;
  return 0;
}
