int f() {
  // failpoint: var NoFinalNewline int
  // return NoFinalNewline;
  return 0;
}