int f() {
  // failpoint: var X int; abort();
  return 0;
}
