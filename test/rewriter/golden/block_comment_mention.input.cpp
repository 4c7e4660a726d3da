int f() {
  /* see the note above: a // failpoint: var X comment would be rewritten */
  /*
   * failpoint: docs say nothing here
   */
  // failpoint: var Real
  // return 1;
  return 0;
}
