int f() {
  // failpoint: var Spliced int \
  // return Spliced;
  return 0;
}
