int f() {
  // failpoint: AGAIN:
  int n = 0;
  // failpoint: var Again bool
  // if (Again && n++ < 3) goto AGAIN;
  return n;
}

int g() {
  // failpoint: AGAIN:
  int m = 0;
  // failpoint: var AgainG
  // goto AGAIN;
  return m;
}
