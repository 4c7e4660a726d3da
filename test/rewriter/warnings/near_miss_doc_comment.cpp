void f() {
  /// failpoint: var ThreeSlashes
  //! failpoint: RETRY:
  f();
}
