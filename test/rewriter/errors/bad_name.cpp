int f() {
  // failpoint: var 3rd int
  // return 3;
  return 0;
}
