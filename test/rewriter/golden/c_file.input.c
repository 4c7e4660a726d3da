int f(void) {
  // failpoint: var CFile
  // return -1;
  return 0;
}
