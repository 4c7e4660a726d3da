int f(int x) {
  // failpoint::scoped s("Doubled", "return(2)") in a test switches the failpoint below.
  // failpoint: var Doubled int
  // return x * Doubled;
  return x;
}
