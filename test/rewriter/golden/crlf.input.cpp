int f() {
  // failpoint: var Crlf int
  // return Crlf;
  return 0;
}
