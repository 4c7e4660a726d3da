int f() {
  // failpoint: var First int
  // return First;

  // failpoint: var Second int
  // return Second * 2;
  return 0;
}
