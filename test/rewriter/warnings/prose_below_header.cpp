int split(int n) {
  // failpoint: var SplitFails
  // Fragment the record into pieces of at most n bytes.
  return n / 2;
}
