int f() {
  // gofail: var FromGo int
  // return FromGo;
  return 0;
}
