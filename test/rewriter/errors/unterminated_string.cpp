const char* f() {
  // failpoint: var Unterminated
  // return "oops;
  return "";
}
