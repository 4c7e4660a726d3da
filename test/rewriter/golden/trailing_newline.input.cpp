void f() {
  // failpoint: var TrailingNewline
}


