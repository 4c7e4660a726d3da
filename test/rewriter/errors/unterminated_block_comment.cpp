int f() {
  // failpoint: var OpenComment
  // return 1; /* no end
  return 0;
}
