int f() {
  // failpoint: var Twice int
  // return Twice;
  return 0;
}

bool g() {
  // failpoint: var Twice bool
  // return Twice;
  return true;
}
