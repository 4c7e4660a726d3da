int f() {
  // failpoint: var failpoint_hit_ int
  return 0;
}
