void f(int* out) {
  // failpoint: var VoidReturn
  // return;
  *out = 1;
}
