int f() {
  /*
  // failpoint: var Hidden int
  // return Hidden;
  */
  return 0;
}
