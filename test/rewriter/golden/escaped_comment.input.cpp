int f() {
  // failpoint: var Escaped int
  // // an ordinary comment inside the body
  // return Escaped;
  //
  // //
  return 0;
}
