void f(int a) {
  if (a)
    // failpoint: var Unbraced
    f(1);
}
