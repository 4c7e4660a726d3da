int f() {
  // failpoint: var Commented int
  // int y = /* inline */ Commented; // trailing
  // return y; /* trailing block */
  return 0;
}
