int f() {
  // failpoint: var SplicedBody int
  // return SplicedBody; \
  return 0;
}
