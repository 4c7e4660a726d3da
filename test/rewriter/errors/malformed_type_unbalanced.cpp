int f() {
  // failpoint: var X std::vector<int
  return 0;
}
